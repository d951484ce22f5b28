import { TransientError } from '../../../../core/errors.js';
import { FallbackCheck } from '../../../../cluster-agent/controller/fallback-check.js';
import { akvs } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

function withFallback(h: ReturnType<typeof reconcileHarness>, random = () => 0.5) {
  return new FallbackCheck({
    store: h.store, index: h.index, queue: { add: (k) => void h.enqueued.push(k) }, readStates: h.readStates,
    scheduler: h.clock, logger: h.logger, intervalMs: 60_000, random,
  });
}

describe('FallbackCheck', () => {
  it('lists each referenced vault once and enqueues only objects that moved since they were read', async () => {
    const h = reconcileHarness();
    for (const name of ['a', 'b', 'c']) h.store.set('kv1', name, `value-${name}`);
    const keys = h.add(...['a', 'b', 'c'].map((n) => akvs({ name: n, spec: { vault: { name: 'kv1', object: { name: n, type: 'secret' } }, output: { secret: { name: n, dataKey: 'v' } } } })));
    for (const key of keys) await h.reconciler.reconcile(key);
    h.enqueued.length = 0;
    const check = withFallback(h);
    expect((await check.runOnce()).enqueued).toEqual([]);
    h.store.set('kv1', 'b', 'rotated'); // the event for it was lost
    const report = await check.runOnce();
    expect(report.enqueued).toEqual(['object:kv1/secret/b']);
    expect(h.store.listCalls).toBe(2);
    expect(h.store.reads).toHaveLength(3);
  });

  it('enqueues an object that was disabled or deleted (those emit no event)', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'a', 'x');
    h.store.set('kv1', 'b', 'y');
    const keys = h.add(
      akvs({ name: 'a', spec: { vault: { name: 'kv1', object: { name: 'a', type: 'secret' } } } }),
      akvs({ name: 'b', spec: { vault: { name: 'kv1', object: { name: 'b', type: 'secret' } }, output: { secret: { name: 'b', dataKey: 'v' } } } }),
    );
    for (const key of keys) await h.reconciler.reconcile(key);
    h.store.disable('kv1', 'a');
    h.store.delete('kv1', 'b');
    expect([...(await withFallback(h).runOnce()).enqueued].sort()).toEqual(['object:kv1/secret/a', 'object:kv1/secret/b']);
    for (const key of keys) await h.reconciler.reconcile(key);
    expect((await withFallback(h).runOnce()).enqueued).toEqual([]);
  });

  it('lists keys with the keys listing and enqueues a key that moved', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'a', 'x');
    h.store.setKey('kv1', 'signing', { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' });
    const keys = h.add(
      akvs({ name: 'a', spec: { vault: { name: 'kv1', object: { name: 'a', type: 'secret' } }, output: { secret: { name: 'a', dataKey: 'v' } } } }),
      akvs({ name: 'k', spec: { vault: { name: 'kv1', object: { name: 'signing', type: 'key' } }, output: { secret: { name: 'k', dataKey: 'key.pem' } } } }),
    );
    for (const key of keys) await h.reconciler.reconcile(key);
    expect((await withFallback(h).runOnce()).enqueued).toEqual([]);
    h.store.setKey('kv1', 'signing', { kty: 'EC', crv: 'P-256', x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4', y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM' });
    expect((await withFallback(h).runOnce()).enqueued).toEqual(['object:kv1/key/signing']);
  });

  it('a vault that cannot be listed is skipped until the next check', async () => {
    const h = reconcileHarness();
    h.add(akvs());
    h.store.failList(new TransientError('KeyVaultThrottled', 'throttled', { retryAfterMs: 1000 }));
    expect(await withFallback(h).runOnce()).toEqual({ vaultsListed: 0, vaultsFailed: 1, enqueued: [] });
  });

  it('jitters the interval within ±10%', () => {
    const h = reconcileHarness();
    expect(withFallback(h, () => 0).nextDelayMs()).toBe(54_000);
    expect(withFallback(h, () => 0.999999).nextDelayMs()).toBe(66_000);
  });

  it('runs on its timer', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', 'v');
    h.add(akvs());
    const check = withFallback(h);
    check.start();
    await h.clock.advance(60_000);
    expect(h.store.listCalls).toBe(1);
    await h.clock.advance(60_000);
    expect(h.store.listCalls).toBe(2);
    await check.stop();
    await h.clock.advance(600_000);
    expect(h.store.listCalls).toBe(2);
  });
});
