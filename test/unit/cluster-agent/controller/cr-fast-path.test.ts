import { handleNotification } from '../../../../cluster-agent/controller/notification-handler.js';
import { StatusWriter } from '../../../../cluster-agent/controller/status-writer.js';
import { akvs } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const N = 100;
const cr = (i: number) => akvs({ name: `app-${i}`, spec: { vault: { name: 'kv1', object: { name: 'shared', type: 'secret' } }, output: { secret: { name: `app-${i}`, dataKey: 'k' } } } });
const count = (writes: readonly string[], what: string): number => writes.filter((w) => w === what).length;

describe('creating N CRs of one vault object costs O(N), not O(N²) (the per-CR fast path)', () => {
  it(`${N} CRs created one by one: ${N} output writes, ${N} status writes, one Key Vault read, and each reconcile touches only the new CR`, async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'shared', 'v1');
    let lookups = 0;
    const getOutput = h.cluster.getOutput.bind(h.cluster);
    h.cluster.getOutput = async (ref) => {
      lookups++;
      return getOutput(ref);
    };
    for (let i = 0; i < N; i++) {
      const [key] = h.add(cr(i));
      expect(await h.reconciler.reconcile(key!)).toEqual({ kind: 'success' });
    }
    expect(count(h.cluster.writes, 'apply')).toBe(N);
    expect(count(h.cluster.writes, 'status')).toBe(N);
    expect(h.store.reads).toHaveLength(1);
    // O(N) reads of the cluster too: each create looked up its own output only (the old path re-read all i outputs).
    expect(lookups).toBe(N);
    expect(h.cluster.output('Secret', 'team-a', `app-${N - 1}`)?.data.k?.toString()).toBe('v1');
  });

  it('CRs created in a burst are one reconcile of just those CRs', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'shared', 'v1');
    const keys = new Set(Array.from({ length: N }, (_, i) => h.add(cr(i))[0]));
    expect(keys.size).toBe(1);
    await h.reconciler.reconcile([...keys][0]!);
    expect(count(h.cluster.writes, 'apply')).toBe(N);
    expect(h.store.reads).toHaveLength(1);
  });

  it('a notification still re-reads Key Vault and converges every CR of the object', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'shared', 'v1');
    let key = '';
    for (let i = 0; i < N; i++) {
      key = h.add(cr(i))[0]!;
      await h.reconciler.reconcile(key);
    }
    const version = h.store.set('kv1', 'shared', 'v2');
    const deps = { index: h.index, queue: h.requests, hints: h.hints, cluster: h.cluster, status: new StatusWriter(h.cluster, h.index, h.clock), clock: h.clock, logger: h.logger };
    await handleNotification({ vault: 'kv1', objectType: 'Secret', objectName: 'shared', version, eventType: 'Microsoft.KeyVault.SecretNewVersionCreated', eventId: 'e1', eventTime: new Date(h.clock.now()).toISOString() }, deps);
    const writesBefore = count(h.cluster.writes, 'apply');
    await h.reconciler.reconcile(key);
    expect(h.store.reads).toHaveLength(2);
    expect(count(h.cluster.writes, 'apply') - writesBefore).toBe(N);
    expect(h.cluster.output('Secret', 'team-a', 'app-0')?.data.k?.toString()).toBe('v2');
  });

  it('a CR created after the cached read expired reads Key Vault again (a late CR never gets a stale value for long)', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'shared', 'v1');
    await h.reconciler.reconcile(h.add(cr(0))[0]!);
    h.store.set('kv1', 'shared', 'v2'); // its event was lost
    await h.clock.advance(61_000);
    const key = h.add(cr(1))[0]!;
    const queued = h.enqueued.length;
    await h.reconciler.reconcile(key);
    expect(h.store.reads).toHaveLength(2);
    expect(h.cluster.output('Secret', 'team-a', 'app-1')?.data.k?.toString()).toBe('v2');
    // It saw the object had moved, so it queued a full reconcile: the CR synced before catches up too.
    expect(h.enqueued.slice(queued)).toEqual([key]);
    expect(h.cluster.output('Secret', 'team-a', 'app-0')?.data.k?.toString()).toBe('v1');
    await h.reconciler.reconcile(key);
    expect(h.cluster.output('Secret', 'team-a', 'app-0')?.data.k?.toString()).toBe('v2');
  });
});
