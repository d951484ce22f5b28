import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

const VALUE = 'integration-S3cret-value-9f2c';

describe('agent: create a CR → output written', () => {
  let h: AgentHarness;
  let ns: string;
  beforeAll(async () => {
    h = await startAgentHarness();
    ns = h.namespaces[0] as string;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('writes the Secret (no owner reference; the CR gets the clean-up finalizer), hash annotation, Ready/Synced status and an Event; no value leaks', async () => {
    const { version } = h.emulator.setSecret('kv1', 'db-password', VALUE);
    await h.createAkvs(ns, 'db', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'password' } } });
    const secret = await waitFor('Secret db', () => h.readSecret(ns, 'db'));
    expect(decode(secret, 'password')).toBe(VALUE);
    expect(secret.type).toBe('Opaque');
    expect(secret.metadata?.ownerReferences).toBeUndefined();
    const cr = (await h.custom.getNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'db' })) as { metadata: { finalizers?: string[] } };
    expect(cr.metadata.finalizers).toEqual(['akvsync.io/output-cleanup']);
    expect(secret.metadata?.annotations?.['akvsync.io/data-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.metadata?.annotations?.['synced-version.akvsync.io/db']).toBe(version);
    expect(secret.metadata?.labels?.['akvsync.io/managed-by']).toBe('akvsync');
    expect(secret.metadata?.managedFields?.some((f) => f.manager === 'akvsync/db' && f.operation === 'Apply')).toBe(true);

    const status = await waitFor('status Ready', async () => {
      const s = await h.getStatus(ns, 'db');
      return s?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? s : undefined;
    });
    expect(status.syncedVersion).toBe(version);
    expect(status.conditions?.find((c) => c.type === 'Synced')).toMatchObject({ status: 'True', reason: 'Synced' });
    const events = await waitFor('Synced Event', async () => {
      const list = await h.core.listNamespacedEvent({ namespace: ns });
      const ours = list.items.filter((e) => e.involvedObject.name === 'db' && e.reason === 'Synced');
      return ours.length > 0 ? list.items : undefined;
    });

    const visible = JSON.stringify({ logs: h.logLines, events, status, annotations: secret.metadata?.annotations, labels: secret.metadata?.labels });
    expect(visible).not.toContain(VALUE);
    expect(visible).not.toContain(Buffer.from(VALUE).toString('base64'));
  });

  it('does not overwrite a pre-existing Secret it does not own', async () => {
    await h.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'hand-made' }, stringData: { password: 'original' } } });
    h.emulator.setSecret('kv1', 'other', VALUE);
    await h.createAkvs(ns, 'hand-made', { vault: { name: 'kv1', object: { name: 'other', type: 'secret' } }, output: { secret: { name: 'hand-made', dataKey: 'password' } } });
    const status = await waitFor('SecretNotOwned condition', async () => {
      const s = await h.getStatus(ns, 'hand-made');
      return s?.conditions?.some((c) => c.reason === 'SecretNotOwned') ? s : undefined;
    });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SecretNotOwned' });
    const secret = await h.readSecret(ns, 'hand-made');
    expect(decode(secret, 'password')).toBe('original');
    expect(secret?.metadata?.ownerReferences).toBeUndefined();
  });

  it('prunes a key removed from a multi-key-value secret and writes a ConfigMap output', async () => {
    h.emulator.setSecret('kv1', 'settings', JSON.stringify({ a: '1', b: '2' }), { contentType: 'application/x-json' });
    const object = { name: 'settings', type: 'multi-key-value-secret' as const };
    await h.createAkvs(ns, 'settings', { vault: { name: 'kv1', object }, output: { secret: { name: 'settings' } } });
    await h.createAkvs(ns, 'settings-cm', { vault: { name: 'kv1', object }, output: { configMap: { name: 'settings-cm' } } });
    await waitFor('both keys', async () => {
      const s = await h.readSecret(ns, 'settings');
      return s?.data?.a && s.data.b ? s : undefined;
    });
    const { version } = h.emulator.setSecret('kv1', 'settings', JSON.stringify({ a: '1' }), { contentType: 'application/x-json' });
    expect((await h.notify(h.notification({ objectName: 'settings', version }))).status).toBe(202);
    const pruned = await waitFor('key b pruned', async () => {
      const s = await h.readSecret(ns, 'settings');
      return s?.data && !('b' in s.data) ? s : undefined;
    });
    expect(Object.keys(pruned.data ?? {})).toEqual(['a']);
    const cm = await waitFor('ConfigMap pruned', async () => {
      const c = await h.core.readNamespacedConfigMap({ namespace: ns, name: 'settings-cm' }).catch(() => undefined);
      return c?.data && !('b' in c.data) ? c : undefined;
    });
    expect(cm.data).toEqual({ a: '1' });
  });

  it('deletes the Secret with the CR (finalizer) and keeps it with deletionPolicy Retain (no finalizer)', async () => {
    h.emulator.setSecret('kv1', 'gc', VALUE);
    const object = { name: 'gc', type: 'secret' as const };
    await h.createAkvs(ns, 'gc-delete', { vault: { name: 'kv1', object }, output: { secret: { name: 'gc-delete', dataKey: 'v' } } });
    await h.createAkvs(ns, 'gc-retain', { vault: { name: 'kv1', object }, output: { secret: { name: 'gc-retain', dataKey: 'v' } } }, { deletionPolicy: 'Retain' });
    await waitFor('both Secrets', async () => ((await h.readSecret(ns, 'gc-delete')) && (await h.readSecret(ns, 'gc-retain')) ? true : undefined));
    expect((await h.readSecret(ns, 'gc-retain'))?.metadata?.ownerReferences).toBeUndefined();
    for (const name of ['gc-delete', 'gc-retain']) {
      await h.custom.deleteNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name });
    }
    await waitFor('gc-delete deleted by the finalizer', async () => ((await h.readSecret(ns, 'gc-delete')) === undefined ? true : undefined));
    expect(decode(await h.readSecret(ns, 'gc-retain'), 'v')).toBe(VALUE);
  });

  it('reports a key Key Vault does not have on the CR, read with the keys API, and writes nothing', async () => {
    await h.createAkvs(ns, 'a-key', { vault: { name: 'kv1', object: { name: 'signing-key', type: 'key' } }, output: { secret: { name: 'a-key', dataKey: 'k' } } });
    const status = await waitFor('key not found', async () => {
      const s = await h.getStatus(ns, 'a-key');
      return s?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False') ? s : undefined;
    });
    expect(status.conditions?.find((c) => c.type === 'Ready')?.message).toContain('Key Vault key kv1/signing-key was not found');
    expect(h.emulator.requestCount({ vault: 'kv1', operation: 'getKey' })).toBeGreaterThan(0);
    expect(await h.readSecret(ns, 'a-key')).toBeUndefined();
  });
});
