import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { TransientError } from '../../../../core/errors.js';
import { AkvsIndex } from '../../../../cluster-agent/controller/akvs-index.js';
import { AkvsWatchHandler } from '../../../../cluster-agent/controller/akvs-watch-handler.js';
import { CatchUp } from '../../../../cluster-agent/controller/catch-up.js';
import { ReadStates } from '../../../../cluster-agent/controller/read-state.js';
import { Reconciler } from '../../../../cluster-agent/controller/reconcile.js';
import { dataHashKeyId } from '../../../../core/sync/data-hash.js';
import { akvs, deployment } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const secretCr = (name: string, extra: { version?: string } = {}): AzureKeyVaultSecret =>
  akvs({ name, spec: { vault: { name: 'kv1', object: { name, type: 'secret', ...extra } }, output: { secret: { name, dataKey: 'v' } } } });

/** The agent that synced everything: CRs reconciled, statuses recorded. Returns the CRs as a new leader lists them. */
async function syncedCluster(names: string[]) {
  const h = reconcileHarness();
  for (const name of names) h.store.set('kv1', name, `value-${name}`);
  const crs = names.map((n) => secretCr(n));
  for (const key of h.add(...crs)) await h.reconciler.reconcile(key);
  const withStatus = (cr: AzureKeyVaultSecret): AzureKeyVaultSecret => ({ ...cr, status: h.cluster.statuses.get(`${cr.metadata.namespace}/${cr.metadata.name}`) });
  return { h, listed: () => crs.map(withStatus) };
}

/** A new leader: its own index and read states; the informer's first list goes through the catch-up. */
function newLeader(h: ReturnType<typeof reconcileHarness>, permitted?: (crs: readonly AzureKeyVaultSecret[]) => Promise<AzureKeyVaultSecret[]>) {
  const index = new AkvsIndex();
  const readStates = new ReadStates();
  const full: string[] = [];
  const crOnly: string[] = [];
  const catchUp = new CatchUp({
    store: h.store, index, readStates, logger: h.logger, dataHashKeyId: dataHashKeyId(h.hashKey), queue: { add: (k) => void full.push(k), addCr: (_k, id) => void crOnly.push(id) },
    ...(permitted ? { permitted } : {}),
  });
  const watch = new AkvsWatchHandler(index, catchUp);
  return { catchUp, watch, readStates, full, crOnly };
}

describe('CatchUp (a new leader reads only what moved)', () => {
  it('everything current: one listing per vault, no read, nothing queued; the objects count as read for the fallback check', async () => {
    const { h, listed } = await syncedCluster(['a', 'b', 'c']);
    const readsBefore = h.store.reads.length;
    const leader = newLeader(h);
    leader.catchUp.hold();
    for (const cr of listed()) leader.watch.upsert(cr);
    const report = await leader.catchUp.release();
    expect(report).toMatchObject({ vaultsListed: 1, moved: [], crsQueued: 0, current: 3 });
    expect([leader.full, leader.crOnly]).toEqual([[], []]);
    expect(h.store.listCalls).toBe(1);
    expect(h.store.reads.length).toBe(readsBefore);
    expect(leader.readStates.get('object:kv1/secret/b')).toMatchObject({ present: true, enabled: true });
  });

  it('one object rotated while no one led: only it is queued (a full reconcile, one read)', async () => {
    const { h, listed } = await syncedCluster(['a', 'b', 'c']);
    h.store.set('kv1', 'b', 'rotated');
    const leader = newLeader(h);
    leader.catchUp.hold();
    for (const cr of listed()) leader.watch.upsert(cr);
    expect((await leader.catchUp.release()).moved).toEqual(['object:kv1/secret/b']);
    expect([leader.full, leader.crOnly]).toEqual([['object:kv1/secret/b'], []]);
  });

  it('an object this replica read since it started leading (a parked notification) is not read again', async () => {
    const { h, listed } = await syncedCluster(['a', 'b']);
    h.store.set('kv1', 'b', 'rotated');
    const leader = newLeader(h);
    leader.catchUp.hold();
    for (const cr of listed()) leader.watch.upsert(cr);
    const b = await h.store.read({ vault: 'kv1', objectType: 'secret', name: 'b' });
    leader.readStates.record('object:kv1/secret/b', { present: true, enabled: true, updatedOn: b.updatedOn });
    expect(await leader.catchUp.release()).toMatchObject({ moved: [], current: 2 });
  });

  it('a deleted or disabled object is queued so its CRs say why', async () => {
    const { h, listed } = await syncedCluster(['a', 'b', 'c']);
    h.store.delete('kv1', 'a');
    h.store.disable('kv1', 'c');
    const leader = newLeader(h);
    leader.catchUp.hold();
    for (const cr of listed()) leader.watch.upsert(cr);
    expect([...(await leader.catchUp.release()).moved].sort()).toEqual(['object:kv1/secret/a', 'object:kv1/secret/c']);
  });

  it('queues on its own a CR never synced, one whose spec changed since, and one whose last sync failed', async () => {
    const { h, listed } = await syncedCluster(['a', 'b', 'c']);
    const [a, b, c] = listed() as [AzureKeyVaultSecret, AzureKeyVaultSecret, AzureKeyVaultSecret];
    h.store.set('kv1', 'd', 'new');
    const failed = { ...c, status: { ...c.status, conditions: c.status?.conditions?.map((x) => (x.type === 'Synced' ? { ...x, status: 'False' as const } : x)) } };
    const leader = newLeader(h);
    leader.catchUp.hold();
    for (const cr of [a, { ...b, metadata: { ...b.metadata, generation: 2 } }, failed, secretCr('d')]) leader.watch.upsert(cr);
    const report = await leader.catchUp.release();
    expect(report).toMatchObject({ crsQueued: 3, current: 1, moved: [] });
    expect(leader.crOnly.sort()).toEqual(['team-a/b', 'team-a/c', 'team-a/d']);
  });

  it('a status whose data hash another data-hash key made is not current (a key change rewrites every output)', async () => {
    const { h, listed } = await syncedCluster(['a', 'b']);
    const [a, b] = listed() as [AzureKeyVaultSecret, AzureKeyVaultSecret];
    const leader = newLeader(h);
    leader.catchUp.hold();
    for (const cr of [a, { ...b, status: { ...b.status, dataHashKeyId: 'another-key-id' } }]) leader.watch.upsert(cr);
    expect(await leader.catchUp.release()).toMatchObject({ crsQueued: 1, current: 1 });
    expect(leader.crOnly).toEqual(['team-a/b']);
  });

  it('a pinned version already written needs no listing; after release requests pass straight through', async () => {
    const h = reconcileHarness();
    const v1 = h.store.set('kv1', 'p', 'one');
    h.store.set('kv1', 'p', 'two');
    const cr = secretCr('p', { version: v1 });
    for (const key of h.add(cr)) await h.reconciler.reconcile(key);
    const leader = newLeader(h);
    leader.catchUp.hold();
    leader.watch.upsert({ ...cr, status: h.cluster.statuses.get('team-a/p') });
    expect(await leader.catchUp.release()).toMatchObject({ vaultsListed: 0, crsQueued: 0 });
    expect(h.store.listCalls).toBe(0);
    leader.watch.upsert(secretCr('q'));
    expect(leader.crOnly).toEqual(['team-a/q']);
  });

  it('a vault that cannot be listed: its CRs are queued one by one (as without catch-up)', async () => {
    const { h, listed } = await syncedCluster(['a', 'b']);
    h.store.failList(new TransientError('Throttled', 'try later'));
    const leader = newLeader(h);
    leader.catchUp.hold();
    for (const cr of listed()) leader.watch.upsert(cr);
    expect(await leader.catchUp.release()).toMatchObject({ vaultsFailed: 1, crsQueued: 2 });
    expect(leader.crOnly.sort()).toEqual(['team-a/a', 'team-a/b']);
  });

  it('a CR the access policy refuses is queued (so it is told Forbidden), never skipped as current', async () => {
    const { h, listed } = await syncedCluster(['a', 'b']);
    const leader = newLeader(h, async (crs) => crs.filter((cr) => cr.metadata.name !== 'b'));
    leader.catchUp.hold();
    for (const cr of listed()) leader.watch.upsert(cr);
    expect(await leader.catchUp.release()).toMatchObject({ crsQueued: 1, current: 1 });
    expect(leader.crOnly).toEqual(['team-a/b']);
  });
});

describe('Reconciler after a leader that wrote the data and stopped before its restarts and status', () => {
  it('restarts the workloads still owed for that version, and only once', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', 'one');
    h.cluster.workloads.push(deployment());
    const cr = akvs();
    const [key] = h.add(cr) as [string];
    await h.reconciler.reconcile(key);
    const v1Status = h.cluster.statuses.get('team-a/db');
    // The old leader writes version two's data; its restart (and so its status) never happens.
    h.store.set('kv1', 'db-password', 'two');
    h.cluster.failNext('patch', new TransientError('Gone', 'the leader died'));
    await h.reconciler.reconcile(key);
    expect(h.cluster.restartPatches).toHaveLength(0);
    // The new leader: its own reconciler, the CR as listed (status still at version one).
    h.watch.upsert({ ...cr, status: v1Status });
    const newLeader = new Reconciler({
      index: h.index, store: h.store, cluster: h.cluster, clock: h.clock, hints: h.hints, readStates: new ReadStates(), events: h.events,
      logger: h.logger, honourReloaderAnnotations: true, dataHashKey: h.hashKey,
    });
    await newLeader.reconcile(key);
    await newLeader.reconcile(key);
    expect(h.cluster.restartPatches).toHaveLength(1);
  });

  it('a data-hash key change (same version, new hashes) restarts nothing', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', 'one');
    h.cluster.workloads.push(deployment());
    const cr = akvs();
    const [key] = h.add(cr) as [string];
    await h.reconciler.reconcile(key);
    h.watch.upsert({ ...cr, status: { ...h.cluster.statuses.get('team-a/db'), dataHash: 'made-with-another-key' } });
    await h.reconciler.reconcile(key);
    expect(h.cluster.restartPatches).toHaveLength(0);
  });
});
