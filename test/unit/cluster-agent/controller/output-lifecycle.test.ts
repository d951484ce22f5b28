import { finalizeKey } from '../../../../cluster-agent/controller/object-key.js';
import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { OUTPUT_FINALIZER } from '../../../../core/crd/output-metadata.js';
import { TerminalError, TransientError } from '../../../../core/errors.js';
import { akvs } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const VALUE = 'lifecycle-value-never-logged';

/** A harness with the output lifecycle and the agent's default (no owner references), one CR synced. */
async function synced(cr = akvs()) {
  const h = reconcileHarness({ lifecycle: true, ownerReferences: false });
  h.store.set('kv1', 'db-password', VALUE);
  const [key] = h.add(cr);
  expect(await h.reconciler.reconcile(key as string)).toEqual({ kind: 'success' });
  // What the informer would report next: the finalizer the agent added, the status it wrote.
  const withFinalizer = { ...latest(h, cr), metadata: { ...cr.metadata, finalizers: [OUTPUT_FINALIZER] } };
  h.watch.upsert(withFinalizer);
  return { h, key: key as string, cr: withFinalizer };
}

function latest(h: ReturnType<typeof reconcileHarness>, cr: AzureKeyVaultSecret): AzureKeyVaultSecret {
  return { ...cr, status: h.cluster.statuses.get(`${cr.metadata.namespace}/${cr.metadata.name}`) };
}

const deleting = (cr: AzureKeyVaultSecret): AzureKeyVaultSecret => ({ ...cr, metadata: { ...cr.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });

describe('output lifecycle', () => {
  it('adds the finalizer before the first write, and writes no owner reference', async () => {
    const { h } = await synced();
    expect(h.cluster.finalizerChanges).toEqual([{ cr: 'team-a/db', present: true }]);
    expect(h.cluster.output('Secret', 'team-a', 'db')?.owners).toEqual([]);
  });

  it('puts no finalizer on a Retain CR, and takes it off a CR switched to Retain', async () => {
    const h = reconcileHarness({ lifecycle: true, ownerReferences: false });
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs({ spec: { deletionPolicy: 'Retain' } }));
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.finalizerChanges).toEqual([]);
    const { h: h2, key: key2, cr } = await synced();
    h2.watch.upsert({ ...cr, metadata: { ...cr.metadata, generation: 2 }, spec: { ...cr.spec, deletionPolicy: 'Retain' } });
    await h2.reconciler.reconcile(key2);
    expect(h2.cluster.finalizerChanges.at(-1)).toEqual({ cr: 'team-a/db', present: false });
  });

  it('deleting the CR deletes the output it alone wrote, then removes the finalizer; no reconcile writes it any more', async () => {
    const { h, key, cr } = await synced();
    h.enqueued.length = 0;
    h.watch.upsert(deleting(cr));
    expect(h.enqueued).toEqual([finalizeKey('team-a', 'db')]);
    expect(h.index.crsFor(key)).toEqual([]);
    expect(await h.reconciler.reconcile(finalizeKey('team-a', 'db'))).toEqual({ kind: 'success' });
    expect(h.cluster.deletions).toEqual(['Secret/team-a/db']);
    expect(h.cluster.finalizerChanges.at(-1)).toEqual({ cr: 'team-a/db', present: false });
    expect(h.cluster.output('Secret', 'team-a', 'db')).toBeUndefined();
  });

  it('a CR deleted with its CRD (an uninstall) leaves its output in place', async () => {
    const { h, cr } = await synced();
    h.cluster.crdTerminating = true;
    h.watch.upsert(deleting(cr));
    expect(await h.reconciler.reconcile(finalizeKey('team-a', 'db'))).toEqual({ kind: 'success' });
    expect(h.cluster.deletions).toEqual([]);
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data.password?.toString()).toBe(VALUE);
    expect(h.cluster.finalizerChanges.at(-1)).toEqual({ cr: 'team-a/db', present: false });
  });

  it('a transient clean-up failure keeps the finalizer (retried); a terminal one releases it and leaves the output', async () => {
    const { h, cr } = await synced();
    h.watch.upsert(deleting(cr));
    const realDelete = h.cluster.deleteOutput.bind(h.cluster);
    h.cluster.deleteOutput = async () => {
      throw new TransientError('KubernetesUnavailable', 'apiserver busy');
    };
    expect(await h.reconciler.reconcile(finalizeKey('team-a', 'db'))).toMatchObject({ kind: 'error', error: { code: 'KubernetesUnavailable' } });
    expect(h.cluster.finalizerChanges.at(-1)).toEqual({ cr: 'team-a/db', present: true });
    h.cluster.deleteOutput = async () => {
      throw new TerminalError('KubernetesForbidden', 'refused');
    };
    expect(await h.reconciler.reconcile(finalizeKey('team-a', 'db'))).toEqual({ kind: 'success' });
    expect(h.cluster.finalizerChanges.at(-1)).toEqual({ cr: 'team-a/db', present: false });
    expect(h.cluster.output('Secret', 'team-a', 'db')).toBeDefined();
    expect(h.logLines.join('\n')).toContain('output clean-up failed; finalizer removed, output left in place');
    h.cluster.deleteOutput = realDelete;
  });

  it('deleting one of two CRs of a shared Secret removes only its keys and re-queues the other', async () => {
    const h = reconcileHarness({ lifecycle: true, ownerReferences: false });
    h.store.set('kv1', 'one', 'value-one');
    h.store.set('kv1', 'two', 'value-two');
    const one = akvs({ name: 'one', spec: { vault: { name: 'kv1', object: { name: 'one', type: 'secret' } }, output: { secret: { name: 'shared', dataKey: 'a' } } } });
    const two = akvs({ name: 'two', spec: { vault: { name: 'kv1', object: { name: 'two', type: 'secret' } }, output: { secret: { name: 'shared', dataKey: 'b' } } } });
    for (const key of h.add(one, two)) await h.reconciler.reconcile(key);
    expect(Object.keys(h.cluster.output('Secret', 'team-a', 'shared')?.data ?? {}).sort()).toEqual(['a', 'b']);
    h.enqueued.length = 0;
    h.watch.upsert(deleting({ ...one, metadata: { ...one.metadata, finalizers: [OUTPUT_FINALIZER] } }));
    await h.reconciler.reconcile(finalizeKey('team-a', 'one'));
    expect(h.cluster.releases).toEqual([{ output: 'Secret/team-a/shared', fieldManager: 'akvsync/one' }]);
    expect(Object.keys(h.cluster.output('Secret', 'team-a', 'shared')?.data ?? {})).toEqual(['b']);
    expect(h.enqueued).toContain(h.index.keyOf('team-a', 'two'));
  });

  it('a renamed output: the new one written, then the old one deleted; an output removed from the spec likewise', async () => {
    const { h, key, cr } = await synced();
    h.watch.upsert({ ...cr, metadata: { ...cr.metadata, generation: 2 }, spec: { ...cr.spec, output: { secret: { name: 'db-2', dataKey: 'password' } } } });
    await h.reconciler.reconcile(key);
    expect(h.cluster.output('Secret', 'team-a', 'db-2')?.data.password?.toString()).toBe(VALUE);
    expect(h.cluster.deletions).toEqual(['Secret/team-a/db']);
    expect(h.cluster.statuses.get('team-a/db')).toMatchObject({ outputKind: 'Secret', outputName: 'db-2' });

    const renamed = h.index.get('team-a', 'db')!;
    h.watch.upsert({ ...renamed, metadata: { ...renamed.metadata, generation: 3 }, spec: { vault: renamed.spec.vault } });
    await h.reconciler.reconcile(key);
    expect(h.cluster.deletions).toEqual(['Secret/team-a/db', 'Secret/team-a/db-2']);
    expect(h.cluster.finalizerChanges.at(-1)).toEqual({ cr: 'team-a/db', present: false });
    expect(h.cluster.statuses.get('team-a/db')?.outputName).toBeUndefined();
  });

  it('a Retain CR renamed leaves its old output as it is', async () => {
    const h = reconcileHarness({ lifecycle: true, ownerReferences: false });
    h.store.set('kv1', 'db-password', VALUE);
    const cr = akvs({ spec: { deletionPolicy: 'Retain' } });
    const [key] = h.add(cr);
    await h.reconciler.reconcile(key as string);
    h.watch.upsert({ ...latest(h, cr), metadata: { ...cr.metadata, generation: 2 }, spec: { ...cr.spec, output: { secret: { name: 'db-2', dataKey: 'password' } } } });
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.output('Secret', 'team-a', 'db-2')).toBeDefined();
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data.password?.toString()).toBe(VALUE);
    expect([h.cluster.deletions, h.cluster.releases]).toEqual([[], []]);
  });

  it('a rename whose new output is refused cleans nothing up (the old value stays)', async () => {
    const { h, key, cr } = await synced();
    h.cluster.putOutput({ kind: 'Secret', namespace: 'team-a', name: 'taken', secretType: 'Opaque', data: { x: Buffer.from('theirs') }, labels: {}, annotations: {}, owners: [] });
    h.watch.upsert({ ...cr, metadata: { ...cr.metadata, generation: 2 }, spec: { ...cr.spec, output: { secret: { name: 'taken', dataKey: 'password' } } } });
    expect(await h.reconciler.reconcile(key)).toMatchObject({ kind: 'error', error: { code: 'SecretNotOwned' } });
    expect(h.cluster.deletions).toEqual([]);
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data.password?.toString()).toBe(VALUE);
  });

  it('no value in anything the lifecycle lets out', async () => {
    const { h, key, cr } = await synced();
    h.watch.upsert({ ...cr, metadata: { ...cr.metadata, generation: 2 }, spec: { ...cr.spec, output: { configMap: { name: 'db-cm', dataKey: 'password' } } } });
    await h.reconciler.reconcile(key);
    h.watch.upsert(deleting(h.index.get('team-a', 'db')!));
    await h.reconciler.reconcile(finalizeKey('team-a', 'db'));
    expect(h.cluster.deletions).toEqual(['Secret/team-a/db', 'ConfigMap/team-a/db-cm']);
    expect(h.everythingVisible()).not.toContain(VALUE);
  });
});
