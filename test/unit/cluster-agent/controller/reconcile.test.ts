import { TransientError } from '../../../../core/errors.js';
import { dataHash } from '../../../../core/sync/data-hash.js';
import { akvs, deployment } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../../../core/crd/annotations.js';

const VALUE = 's3cr3t-Value-never-logged';

describe('Reconciler', () => {
  it('reads Key Vault once and writes every CR that references the object', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', VALUE);
    const crs = Array.from({ length: 10 }, (_, i) =>
      akvs({ name: `db-${i}`, namespace: `ns-${i % 3}`, spec: { output: { secret: { name: `db-${i}`, dataKey: 'password' } } } }),
    );
    const [key] = h.add(...crs);
    expect(h.add()).toEqual([]);
    const result = await h.reconciler.reconcile(key as string);
    expect(result).toEqual({ kind: 'success' });
    expect(h.store.reads).toEqual(['kv1/db-password']);
    expect(h.cluster.outputs.size).toBe(10);
    expect(h.cluster.statusPatches).toHaveLength(10);
  });

  it('writes the Secret with owner reference, data hash and managed-by label, then Ready/Synced status and an Event', async () => {
    const h = reconcileHarness();
    const version = h.store.set('kv1', 'db-password', VALUE);
    const cr = akvs();
    const [key] = h.add(cr);
    await h.reconciler.reconcile(key as string);
    const secret = h.cluster.output('Secret', 'team-a', 'db');
    expect(secret?.data).toEqual({ password: Buffer.from(VALUE) });
    expect(secret?.secretType).toBe('Opaque');
    expect(secret?.owners).toEqual([{ apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', name: cr.metadata.name, uid: cr.metadata.uid, controller: true }]);
    expect(secret?.keyManagers).toEqual({ password: `akvsync/${cr.metadata.name}` });
    expect(secret?.labels['akvsync.io/managed-by']).toBe('akvsync');
    expect(secret?.annotations['akvsync.io/data-hash']).toBe(dataHash({ password: Buffer.from(VALUE) }, h.hashKey));
    expect(secret?.annotations[`synced-version.akvsync.io/${cr.metadata.name}`]).toBe(version);
    const status = h.cluster.statuses.get('team-a/db');
    expect(status?.syncedVersion).toBe(version);
    expect(status?.conditions?.map((c) => [c.type, c.status])).toEqual([['Ready', 'True'], ['Synced', 'True']]);
    expect(h.cluster.events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'Synced' })]);
    expect(h.emitted.map((e) => e.name)).toEqual(['secret-written']);
    expect(h.everythingVisible()).not.toContain(VALUE);
  });

  it('writes nothing (no apply, no status, no Event) and lists no workloads when nothing changed', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    const counts = [h.cluster.applies.length, h.cluster.statusPatches.length, h.cluster.events.length];
    await h.clock.advance(60_000);
    h.cluster.workloadListings.length = 0;
    await h.reconciler.reconcile(key as string);
    expect([h.cluster.applies.length, h.cluster.statusPatches.length, h.cluster.events.length]).toEqual(counts);
    expect(h.cluster.workloadListings).toEqual([]);
  });

  it('keeps the last value when the object is disabled or deleted, and the status says why', async () => {
    const h = reconcileHarness();
    const version = h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    const before = h.cluster.output('Secret', 'team-a', 'db')?.data;
    h.store.disable('kv1', 'db-password');
    const result = await h.reconciler.reconcile(key as string);
    expect(result).toMatchObject({ kind: 'error', error: { code: 'SecretDisabled' } });
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data).toEqual(before);
    const status = h.cluster.statuses.get('team-a/db');
    expect(status?.syncedVersion).toBe(version);
    expect(status?.conditions?.find((c) => c.type === 'Synced')).toMatchObject({ status: 'False', reason: 'SecretDisabled' });
    // Not Ready while the object is disabled (issue #7 item 4), though the output keeps the last value.
    expect(status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SecretDisabled' });
    expect(status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain(`the output keeps version ${version}`);
    expect(h.cluster.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'SecretDisabled' });
    expect(h.emitted.at(-1)).toEqual({ name: 'sync-failed', payload: { code: 'SecretDisabled' } });
  });

  it('leaves the existing Secret untouched on a transient Key Vault failure and returns the error for a retry', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    const applies = h.cluster.applies.length;
    h.store.set('kv1', 'db-password', 'next-value');
    h.store.failNext(new TransientError('KeyVaultThrottled', 'throttled', { retryAfterMs: 5000 }));
    const result = await h.reconciler.reconcile(key as string);
    expect(result).toMatchObject({ kind: 'error', error: { code: 'KeyVaultThrottled', retryAfterMs: 5000 } });
    expect(h.cluster.applies.length).toBe(applies);
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data.password?.toString()).toBe(VALUE);
  });

  it('refuses a Secret labelled as ours that akv2k8s (spv.no AzureKeyVaultSecret, same kind) still owns', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', VALUE);
    h.cluster.putOutput({
      kind: 'Secret', namespace: 'team-a', name: 'db', secretType: 'Opaque', data: { password: Buffer.from('from-akv2k8s') },
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: {},
      owners: [{ apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', name: 'db', uid: 'akv2k8s-uid', controller: true }],
    });
    const [key] = h.add(akvs());
    expect(await h.reconciler.reconcile(key as string)).toMatchObject({ kind: 'error', error: { code: 'SecretNotOwned', message: expect.stringContaining('spv.no/v2beta1') } });
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data.password?.toString()).toBe('from-akv2k8s');
  });

  it('refuses to overwrite a Secret it does not own, and still writes the other CRs', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', VALUE);
    h.cluster.putOutput({ kind: 'Secret', namespace: 'team-a', name: 'db', secretType: 'Opaque', data: { password: Buffer.from('hand-made') }, labels: {}, annotations: {}, owners: [] });
    const [key] = h.add(akvs(), akvs({ namespace: 'team-b' }));
    const result = await h.reconciler.reconcile(key as string);
    expect(result).toMatchObject({ kind: 'error', error: { code: 'SecretNotOwned' } });
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data.password?.toString()).toBe('hand-made');
    expect(h.cluster.output('Secret', 'team-b', 'db')?.data.password?.toString()).toBe(VALUE);
    expect(h.cluster.statuses.get('team-a/db')?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SecretNotOwned' });
  });

  it('restarts opted-in workloads only when the agent changed the data, once per hash', async () => {
    const h = reconcileHarness();
    h.cluster.workloads.push(deployment(), deployment({ name: 'not-opted-in', annotations: {} }));
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.restartPatches).toEqual([]); // creation restarts nothing
    h.store.set('kv1', 'db-password', 'rotated');
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.restartPatches.map((p) => p.ref.name)).toEqual(['api']);
    expect(h.cluster.restartPatches[0]?.value).toBe(dataHash({ password: Buffer.from('rotated') }, h.hashKey));
    await h.reconciler.reconcile(key as string);
    h.store.set('kv1', 'db-password', 'rotated'); // new version, same data
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.restartPatches).toHaveLength(1);
    expect(h.emitted.filter((e) => e.name === 'workload-restarted')).toEqual([
      { name: 'workload-restarted', payload: { kind: 'Deployment', namespace: 'team-a', name: 'api' } },
    ]);
  });

  it('hands the output\'s own annotations to the restart plan: Reloader\'s match restarts a searching workload, ignore restarts nothing', async () => {
    const h = reconcileHarness();
    h.cluster.workloads.push(deployment({ name: 'searching', annotations: { 'reloader.stakater.com/search': 'true' } }), deployment({ name: 'auto' }));
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    // As `kubectl annotate` leaves them, beside the agent's own annotations.
    h.cluster.output('Secret', 'team-a', 'db')!.annotations['reloader.stakater.com/match'] = 'true';
    h.store.set('kv1', 'db-password', 'rotated');
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.restartPatches.map((p) => p.ref.name).sort()).toEqual(['auto', 'searching']);
    h.cluster.output('Secret', 'team-a', 'db')!.annotations['reloader.stakater.com/ignore'] = 'true';
    h.store.set('kv1', 'db-password', 'rotated-again');
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.restartPatches).toHaveLength(2);
  });

  it('does not restart for a change somebody else made, and retries a restart whose patch failed', async () => {
    const h = reconcileHarness();
    h.cluster.workloads.push(deployment());
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    h.store.set('kv1', 'db-password', 'rotated');
    h.cluster.failNext('patch', new TransientError('KubernetesUnavailable', 'apiserver 503'));
    expect(await h.reconciler.reconcile(key as string)).toMatchObject({ kind: 'error', error: { code: 'KubernetesUnavailable' } });
    expect(h.cluster.restartPatches).toHaveLength(0);
    expect(await h.reconciler.reconcile(key as string)).toEqual({ kind: 'success' });
    expect(h.cluster.restartPatches).toHaveLength(1);
  });

  it('lists the workloads of each namespace once per reconcile, however many of its Secrets changed', async () => {
    const h = reconcileHarness();
    const crs = Array.from({ length: 6 }, (_, i) =>
      akvs({ name: `db-${i}`, namespace: `ns-${i % 2}`, spec: { output: { secret: { name: `db-${i}`, dataKey: 'password' } } } }),
    );
    h.cluster.workloads.push(
      ...crs.map((cr) => deployment({ name: `uses-${cr.metadata.name}`, namespace: cr.metadata.namespace, secretName: cr.metadata.name })),
    );
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(...crs);
    await h.reconciler.reconcile(key as string);
    h.store.set('kv1', 'db-password', 'rotated');
    h.cluster.workloadListings.length = 0;
    expect(await h.reconciler.reconcile(key as string)).toEqual({ kind: 'success' });
    expect([...h.cluster.workloadListings].sort()).toEqual(['ns-0', 'ns-1']);
    expect(h.cluster.restartPatches.map((p) => p.ref.name).sort()).toEqual(crs.map((cr) => `uses-${cr.metadata.name}`).sort());
  });

  it('reads the outputs of a namespace with one list by source label when a change rewrites several of them', async () => {
    const h = reconcileHarness();
    const crs = Array.from({ length: 6 }, (_, i) =>
      akvs({ name: `db-${i}`, namespace: `ns-${i % 2}`, spec: { output: { secret: { name: `db-${i}`, dataKey: 'password' } } } }),
    );
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(...crs);
    await h.reconciler.reconcile(key as string);
    // First sync: nothing carries the label yet, so each output was also read on its own.
    expect([...h.cluster.outputListings].sort()).toEqual(['Secret/ns-0', 'Secret/ns-1']);
    expect(h.cluster.outputReads).toHaveLength(6);
    const labels = Object.keys(h.cluster.output('Secret', 'ns-0', 'db-0')?.labels ?? {});
    expect(labels).toEqual(expect.arrayContaining([expect.stringMatching(/^source\.akvsync\.io\/[0-9a-f]{40}$/)]));
    h.cluster.outputListings.length = 0;
    h.cluster.outputReads.length = 0;
    h.store.set('kv1', 'db-password', 'rotated');
    expect(await h.reconciler.reconcile(key as string)).toEqual({ kind: 'success' });
    expect([...h.cluster.outputListings].sort()).toEqual(['Secret/ns-0', 'Secret/ns-1']);
    expect(h.cluster.outputReads).toEqual([]);
    expect(crs.map((cr) => h.cluster.output('Secret', cr.metadata.namespace, cr.metadata.name)?.data['password']?.toString())).toEqual(Array(6).fill('rotated'));
  });

  it('still refuses a Secret it does not own when the namespace is listed', async () => {
    const h = reconcileHarness();
    const crs = Array.from({ length: 3 }, (_, i) => akvs({ name: `db-${i}`, spec: { output: { secret: { name: `db-${i}`, dataKey: 'password' } } } }));
    const foreign = { kind: 'Secret' as const, namespace: 'team-a', name: 'db-1', secretType: 'Opaque', data: { password: Buffer.from('hand-made') }, labels: {}, annotations: {}, owners: [] };
    h.cluster.putOutput(foreign);
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(...crs);
    expect(await h.reconciler.reconcile(key as string)).toMatchObject({ kind: 'error', error: { code: 'SecretNotOwned' } });
    expect(h.cluster.output('Secret', 'team-a', 'db-1')).toEqual(foreign);
    expect(h.cluster.output('Secret', 'team-a', 'db-0')?.data['password']?.toString()).toBe(VALUE);
    expect(h.cluster.output('Secret', 'team-a', 'db-2')?.data['password']?.toString()).toBe(VALUE);
  });

  it('writes every output and rolls its workloads before the status and Event of any CR', async () => {
    const h = reconcileHarness();
    const crs = Array.from({ length: 40 }, (_, i) => akvs({ name: `db-${i}`, spec: { output: { secret: { name: `db-${i}`, dataKey: 'password' } } } }));
    h.cluster.workloads.push(...crs.map((cr) => deployment({ name: `uses-${cr.metadata.name}`, secretName: cr.metadata.name })));
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(...crs);
    await h.reconciler.reconcile(key as string);
    h.cluster.writes.length = 0;
    h.store.set('kv1', 'db-password', 'rotated');
    await h.reconciler.reconcile(key as string);
    const firstReport = h.cluster.writes.findIndex((w) => w === 'status' || w === 'event');
    expect(h.cluster.writes.slice(0, firstReport).filter((w) => w === 'apply')).toHaveLength(40);
    expect(h.cluster.writes.slice(0, firstReport).filter((w) => w === 'patch')).toHaveLength(40);
    expect(h.cluster.writes.slice(firstReport).filter((w) => w === 'status')).toHaveLength(40);
  });

  it('still rolls the workloads when the status write after a data change fails, and reports the failure', async () => {
    const h = reconcileHarness();
    h.cluster.workloads.push(deployment());
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    h.store.set('kv1', 'db-password', 'rotated');
    h.cluster.failNext('status', new TransientError('KubernetesUnavailable', 'apiserver 503'));
    expect(await h.reconciler.reconcile(key as string)).toMatchObject({ kind: 'error', error: { code: 'KubernetesUnavailable' } });
    expect(h.cluster.restartPatches.map((p) => p.ref.name)).toEqual(['api']);
    expect(await h.reconciler.reconcile(key as string)).toEqual({ kind: 'success' });
    expect(h.cluster.restartPatches).toHaveLength(1);
  });

  it('never shows a key taken from a multi-key-value value that is not a valid data key (status, Events, logs)', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'cfg', JSON.stringify({ ok: 'x', 'token=abc123KEYLEAK': 'v', nested: { 'inner-KEYLEAK2': 1 } }), { contentType: 'application/json' });
    const [key] = h.add(akvs({ name: 'cfg', spec: { vault: { name: 'kv1', object: { name: 'cfg', type: 'multi-key-value-secret' } }, output: { secret: { name: 'cfg' } } } }));
    await h.reconciler.reconcile(key!);
    expect(h.everythingVisible()).toContain('InvalidMultiKeyValue');
    h.store.set('kv1', 'cfg', JSON.stringify({ ok: 'x', 'token=abc123KEYLEAK': 'v' }), { contentType: 'application/json' });
    await h.reconciler.reconcile(key!);
    expect(h.everythingVisible()).toContain('InvalidDataKey');
    expect(h.everythingVisible()).not.toContain('KEYLEAK');
  });

  describe('several CRs writing one Secret (akv2k8s example 05)', () => {
    const sharing = (name: string, object: string, dataKey: string, spec: Record<string, unknown> = {}) =>
      akvs({ name, spec: { vault: { name: 'kv1', object: { name: object, type: 'secret' } }, output: { secret: { name: 'shared', dataKey } }, ...spec } });

    function twoWriters() {
      const h = reconcileHarness();
      h.store.set('kv1', 'one', 'first-value');
      h.store.set('kv1', 'two', 'second-value');
      const first = sharing('secret-sync-1', 'one', 'secret-value-1');
      const second = sharing('secret-sync-2', 'two', 'secret-value-2');
      const [firstKey] = h.add(first);
      const [secondKey] = h.add(second);
      return { h, first, second, firstKey: firstKey as string, secondKey: secondKey as string };
    }

    it('puts both keys in one Secret, each owned by its CR; the first is the controller owner', async () => {
      const { h, first, second, firstKey, secondKey } = twoWriters();
      expect(await h.reconciler.reconcile(firstKey)).toEqual({ kind: 'success' });
      expect(await h.reconciler.reconcile(secondKey)).toEqual({ kind: 'success' });
      const secret = h.cluster.output('Secret', 'team-a', 'shared');
      expect(Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, v.toString()]))).toEqual({ 'secret-value-1': 'first-value', 'secret-value-2': 'second-value' });
      expect(secret?.keyManagers).toEqual({ 'secret-value-1': 'akvsync/secret-sync-1', 'secret-value-2': 'akvsync/secret-sync-2' });
      expect(secret?.owners.map((o) => [o.name, o.controller])).toEqual([['secret-sync-1', true], ['secret-sync-2', false]]);
      const whole = dataHash({ 'secret-value-1': Buffer.from('first-value'), 'secret-value-2': Buffer.from('second-value') }, h.hashKey);
      expect(secret?.annotations['akvsync.io/data-hash']).toBe(whole);
      expect(secret?.annotations[`synced-version.akvsync.io/${first.metadata.name}`]).toBeDefined();
      expect(secret?.annotations[`synced-version.akvsync.io/${second.metadata.name}`]).toBeDefined();
      expect(h.cluster.statuses.get('team-a/secret-sync-2')?.dataHash).toBe(dataHash({ 'secret-value-2': Buffer.from('second-value') }, h.hashKey));
    });

    it('two CRs creating the Secret at the same moment: the loser of the controller reference re-reads and joins (no 422 left stuck)', async () => {
      const { h, firstKey, secondKey } = twoWriters();
      expect(await Promise.all([h.reconciler.reconcile(firstKey), h.reconciler.reconcile(secondKey)])).toEqual([{ kind: 'success' }, { kind: 'success' }]);
      const secret = h.cluster.output('Secret', 'team-a', 'shared');
      expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['secret-value-1', 'secret-value-2']);
      expect(secret?.owners.filter((o) => o.controller)).toHaveLength(1);
      expect(secret?.owners).toHaveLength(2);
      expect(h.cluster.statuses.get('team-a/secret-sync-1')?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(h.cluster.statuses.get('team-a/secret-sync-2')?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      // The loser's first apply was refused; its retry went through after one fresh read.
      expect(h.cluster.applies.filter((a) => a.owner?.controller === true)).toHaveLength(2);
      expect(h.cluster.applies).toHaveLength(3);
    });

    it('keys named like Object.prototype members are data: a CR writing "toString" does not block one writing "constructor"', async () => {
      const h = reconcileHarness();
      h.store.set('kv1', 'one', 'first-value');
      h.store.set('kv1', 'two', 'second-value');
      const [k1] = h.add(sharing('proto-1', 'one', 'toString'));
      const [k2] = h.add(sharing('proto-2', 'two', 'constructor'));
      expect(await h.reconciler.reconcile(k1!)).toEqual({ kind: 'success' });
      expect(await h.reconciler.reconcile(k2!)).toEqual({ kind: 'success' });
      const secret = h.cluster.output('Secret', 'team-a', 'shared');
      expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['constructor', 'toString']);
    });

    it('settles: reconciling both again writes nothing; a rotation of one changes only its key and restarts once', async () => {
      const { h, firstKey, secondKey } = twoWriters();
      await h.reconciler.reconcile(firstKey);
      await h.reconciler.reconcile(secondKey);
      h.cluster.workloads.push(deployment({ secretName: 'shared' }));
      const applies = h.cluster.applies.length;
      await h.reconciler.reconcile(firstKey);
      await h.reconciler.reconcile(secondKey);
      expect(h.cluster.applies).toHaveLength(applies);
      h.store.set('kv1', 'two', 'second-rotated');
      await h.reconciler.reconcile(secondKey);
      await h.reconciler.reconcile(firstKey);
      const secret = h.cluster.output('Secret', 'team-a', 'shared');
      expect(secret?.data['secret-value-1']?.toString()).toBe('first-value');
      expect(secret?.data['secret-value-2']?.toString()).toBe('second-rotated');
      expect(h.cluster.applies).toHaveLength(applies + 1);
      expect(h.cluster.restartPatches.map((p) => [p.ref.name, p.value])).toEqual([['api', secret?.annotations['akvsync.io/data-hash']]]);
    });

    it('refuses a key another CR writes, changing nothing', async () => {
      const { h, firstKey } = twoWriters();
      await h.reconciler.reconcile(firstKey);
      h.store.set('kv1', 'three', 'third-value');
      const before = JSON.stringify(h.cluster.output('Secret', 'team-a', 'shared'));
      const [thiefKey] = h.add(sharing('thief', 'three', 'secret-value-1'));
      expect(await h.reconciler.reconcile(thiefKey as string)).toMatchObject({
        kind: 'error',
        error: { code: 'OutputKeyConflict', message: expect.stringContaining('is written by AzureKeyVaultSecret secret-sync-1') },
      });
      expect(JSON.stringify(h.cluster.output('Secret', 'team-a', 'shared'))).toBe(before);
      expect(h.cluster.statuses.get('team-a/thief')?.conditions?.find((c) => c.type === 'Synced')).toMatchObject({ status: 'False', reason: 'OutputKeyConflict' });
    });

    it('never quotes a key that came from a multi-key-value secret (its keys are part of the value)', async () => {
      const { h, firstKey } = twoWriters();
      await h.reconciler.reconcile(firstKey);
      h.store.set('kv1', 'json', JSON.stringify({ 'secret-value-1': 'x', 'private-key-name-42': 'y' }), { contentType: 'application/x-json' });
      const multi = akvs({ name: 'multi', spec: { vault: { name: 'kv1', object: { name: 'json', type: 'multi-key-value-secret', contentType: 'application/x-json' } }, output: { secret: { name: 'shared' } } } });
      const [key] = h.add(multi);
      const result = await h.reconciler.reconcile(key as string);
      expect(result).toMatchObject({ kind: 'error', error: { code: 'OutputKeyConflict' } });
      expect(h.everythingVisible()).not.toContain('secret-value-1"');
      expect(h.everythingVisible()).not.toContain('private-key-name-42');
    });

    it('prunes only its own key when a CR stops writing one', async () => {
      const { h, firstKey, secondKey } = twoWriters();
      await h.reconciler.reconcile(firstKey);
      await h.reconciler.reconcile(secondKey);
      const [renamedKey] = h.add(sharing('secret-sync-2', 'two', 'renamed', { }));
      await h.reconciler.reconcile(renamedKey as string);
      const secret = h.cluster.output('Secret', 'team-a', 'shared');
      expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['renamed', 'secret-value-1']);
    });

    it('does not join a Secret akvsync does not manage', async () => {
      const h = reconcileHarness();
      h.store.set('kv1', 'one', 'first-value');
      h.cluster.putOutput({ kind: 'Secret', namespace: 'team-a', name: 'shared', secretType: 'Opaque', data: { other: Buffer.from('x') }, labels: {}, annotations: {}, owners: [] });
      const [key] = h.add(sharing('secret-sync-1', 'one', 'secret-value-1'));
      expect(await h.reconciler.reconcile(key as string)).toMatchObject({ kind: 'error', error: { code: 'SecretNotOwned', message: expect.stringContaining('is not managed by akvsync') } });
      expect(Object.keys(h.cluster.output('Secret', 'team-a', 'shared')?.data ?? {})).toEqual(['other']);
    });
  });

  it('a bad transform fails only that CR, with a value-free message', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', `${VALUE}!!not-base64`);
    const [key] = h.add(
      akvs({ name: 'decoded', spec: { output: { secret: { name: 'decoded', dataKey: 'v' }, transform: ['base64decode'] } } }),
      akvs({ name: 'plain', spec: { output: { secret: { name: 'plain', dataKey: 'v' } } } }),
    );
    const result = await h.reconciler.reconcile(key as string);
    expect(result).toMatchObject({ kind: 'error', error: { code: 'TransformFailed' } });
    expect(h.cluster.output('Secret', 'team-a', 'plain')).toBeDefined();
    expect(h.cluster.output('Secret', 'team-a', 'decoded')).toBeUndefined();
    expect(h.everythingVisible()).not.toContain(VALUE);
  });

  it('prunes a key removed from a multi-key-value secret and writes ConfigMaps', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'settings', JSON.stringify({ a: '1', b: '2' }), { contentType: 'application/x-json' });
    const spec = { vault: { name: 'kv1', object: { name: 'settings', type: 'multi-key-value-secret' as const } } };
    const [key] = h.add(
      akvs({ name: 's', spec: { ...spec, output: { secret: { name: 's' } } } }),
      akvs({ name: 'c', spec: { ...spec, output: { configMap: { name: 'c' } } } }),
    );
    await h.reconciler.reconcile(key as string);
    expect(Object.keys(h.cluster.output('Secret', 'team-a', 's')?.data ?? {})).toEqual(['a', 'b']);
    h.store.set('kv1', 'settings', JSON.stringify({ a: '1' }), { contentType: 'application/x-json' });
    await h.reconciler.reconcile(key as string);
    expect(Object.keys(h.cluster.output('Secret', 'team-a', 's')?.data ?? {})).toEqual(['a']);
    expect(h.cluster.output('ConfigMap', 'team-a', 'c')?.data).toEqual({ a: Buffer.from('1') });
  });

  it('records an invalid spec on the CR under a key of its own, writing nothing', async () => {
    const h = reconcileHarness();
    const bad = akvs({ spec: { vault: { name: '', object: { name: 'x', type: 'secret' } } } });
    const [key] = h.add(bad);
    expect(key).toBe('cr:team-a/db');
    const result = await h.reconciler.reconcile(key as string);
    expect(result).toMatchObject({ kind: 'error', error: { code: 'InvalidSpec' } });
    expect(h.cluster.applies).toEqual([]);
    expect(h.cluster.statuses.get('team-a/db')?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(h.cluster.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InvalidSpec' })]);
  });

  it('measures latency from the notification event time', async () => {
    const h = reconcileHarness();
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    h.hints.record(key as string, h.clock.now() - 1500);
    await h.reconciler.reconcile(key as string);
    expect(h.emitted[0]).toMatchObject({ name: 'secret-written', payload: { latencyMs: 1500 } });
  });
});
