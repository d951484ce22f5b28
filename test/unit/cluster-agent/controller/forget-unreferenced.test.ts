import { akvs } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const cr = (name: string, vault: string, object: string) =>
  akvs({ name, spec: { vault: { name: vault, object: { name: object, type: 'secret' } }, output: { secret: { name, dataKey: 'k' } } } });

describe('per-object read state and per-vault clients are evicted with the last CR that uses them', () => {
  it('forgets an object\'s read state when its last CR goes, and the vault\'s client when the vault\'s last CR goes', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'a', 'x');
    h.store.set('kv1', 'b', 'y');
    const one = cr('one', 'kv1', 'a');
    const two = cr('two', 'kv1', 'a');
    const three = cr('three', 'kv1', 'b');
    const [keyA] = h.add(one, two);
    const [keyB] = h.add(three);
    await h.reconciler.reconcile(keyA!);
    await h.reconciler.reconcile(keyB!);
    expect(h.readStates.get(keyA!)).toBeDefined();

    h.watch.remove(one);
    expect(h.readStates.get(keyA!)).toBeDefined(); // `two` still reads it
    h.watch.remove(two);
    expect(h.readStates.get(keyA!)).toBeUndefined();
    expect(h.store.forgottenVaults).toEqual([]); // `three` still reads kv1

    // A CR moved to another vault leaves its old key (and here its vault) behind.
    h.watch.upsert({ ...three, metadata: { ...three.metadata, generation: 2 }, spec: { ...three.spec, vault: { name: 'kv2', object: { name: 'b', type: 'secret' } } } });
    expect(h.readStates.get(keyB!)).toBeUndefined();
    expect(h.store.forgottenVaults).toEqual(['kv1']);
  });
});
