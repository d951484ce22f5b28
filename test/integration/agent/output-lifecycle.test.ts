/**
 * Output lifecycle on the real apiserver (docs/adr/0004-output-lifecycle.md), the agent under its generated RBAC:
 * the clean-up finalizer (a deleted CR's output deleted, or only its keys removed from a shared one, never another
 * writer's), rename and kind-switch clean-up, the uninstall path (finalizer removed by hand, the Secret stays: no owner
 * reference), drift repair (a hand edit or deletion put back, an edit loop costing bounded Key Vault reads), a disabled
 * or deleted Key Vault object (last value kept, Ready=False, synced again once back) and expiry events for other
 * versions ignored. The fallback check runs only when a test calls it (interval 1 h), so it cannot mask a loss.
 */
import { spawn } from 'node:child_process';
import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';
import type { AkvsSpec } from '../../../core/crd/azure-key-vault-secret.js';
import { getTestStack } from '../support/stack-client.js';

const CRS = { group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets' } as const;
const FINALIZER = 'akvsync.io/output-cleanup';
const VALUE = 'lifecycle-S3cret-value-7e1d';

const secretSpec = (object: string, output: string, dataKey: string): AkvsSpec => ({
  vault: { name: 'kv1', object: { name: object, type: 'secret' } },
  output: { secret: { name: output, dataKey } },
});

describe('agent: output lifecycle and drift', () => {
  let h: AgentHarness;
  let ns: string;
  beforeAll(async () => {
    h = await startAgentHarness({ env: { AKVSYNC_DRIFT_REPAIR_BURST: '3', AKVSYNC_DRIFT_REPAIR_INTERVAL: '1s' } });
    ns = h.namespaces[0] as string;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const finalizersOf = async (name: string): Promise<string[] | undefined> => {
    const cr = (await h.custom.getNamespacedCustomObject({ ...CRS, namespace: ns, name }).catch(() => undefined)) as { metadata: { finalizers?: string[] } } | undefined;
    return cr ? (cr.metadata.finalizers ?? []) : undefined;
  };
  const deleteCr = (name: string): Promise<unknown> => h.custom.deleteNamespacedCustomObject({ ...CRS, namespace: ns, name });
  const keysOf = async (name: string): Promise<Record<string, string | undefined>> => {
    const s = await h.readSecret(ns, name);
    return Object.fromEntries(Object.keys(s?.data ?? {}).map((k) => [k, decode(s, k)]));
  };
  const condition = async (name: string, type: string): Promise<{ status: string; reason: string; message: string } | undefined> =>
    (await h.getStatus(ns, name))?.conditions?.find((c) => c.type === type);
  const ready = async (name: string): Promise<true | undefined> => ((await condition(name, 'Ready'))?.status === 'True' ? true : undefined);
  const holds = async (name: string): Promise<true | undefined> => (decode(await h.readSecret(ns, name), 'v') === VALUE ? true : undefined);
  /** One CR `name` writing VALUE under `v` of Secret `name`; resolves once it is written and the agent is idle. */
  const oneWriter = async (name: string): Promise<void> => {
    h.emulator.setSecret('kv1', name, VALUE);
    await h.createAkvs(ns, name, secretSpec(name, name, 'v'));
    await waitFor(`Secret ${name}`, () => holds(name));
    await h.agent.whenIdle();
  };
  /** Two CRs (named after their Key Vault objects) writing one key each into one Secret; resolves once both are in. */
  const twoWriters = async (output: string, ...writers: [name: string, dataKey: string][]): Promise<void> => {
    for (const [name, dataKey] of writers) {
      h.emulator.setSecret('kv1', name, `value-${name}`);
      await h.createAkvs(ns, name, secretSpec(name, output, dataKey));
    }
    await waitFor(`both keys of ${output}`, async () => {
      const keys = await keysOf(output);
      return writers.every(([name, dataKey]) => keys[dataKey] === `value-${name}`) ? true : undefined;
    });
    await h.agent.whenIdle();
  };

  it('a CR with an output gets the finalizer and writes no owner reference; deleting it deletes the output it alone wrote', async () => {
    await oneWriter('solo');
    expect(await finalizersOf('solo')).toEqual([FINALIZER]);
    expect((await h.readSecret(ns, 'solo'))?.metadata?.ownerReferences).toBeUndefined();
    await deleteCr('solo');
    await waitFor('Secret solo deleted', async () => ((await h.readSecret(ns, 'solo')) === undefined ? true : undefined));
    await waitFor('CR solo gone', async () => ((await finalizersOf('solo')) === undefined ? true : undefined));
  });

  it('deleting one of two CRs sharing a Secret removes only its keys; a person\'s key keeps the Secret when the last CR goes', async () => {
    await twoWriters('shared', ['part-a', 'a'], ['part-b', 'b']);
    // A person adds a key of their own (field manager kubectl-style): it is theirs, the agent never removes it.
    await h.core.patchNamespacedSecret({ namespace: ns, name: 'shared', body: [{ op: 'add', path: '/data/mine', value: Buffer.from('hand-made').toString('base64') }] });

    await deleteCr('part-a');
    await waitFor('key a removed', async () => ((await keysOf('shared')).a === undefined ? true : undefined));
    expect(await keysOf('shared')).toEqual({ b: 'value-part-b', mine: 'hand-made' });
    let secret = (await h.readSecret(ns, 'shared'))!;
    // Its field manager keeps only the Secret's immutable `type` (co-owned), no data key.
    const partA = secret.metadata?.managedFields?.find((f) => f.manager === 'akvsync/part-a')?.fieldsV1 as Record<string, unknown> | undefined;
    expect(Object.keys(partA ?? {})).toEqual(['f:type']);
    expect(Object.keys(secret.metadata?.annotations ?? {})).not.toContain('synced-version.akvsync.io/part-a');
    expect(secret.metadata?.annotations?.['synced-version.akvsync.io/part-b']).toBeDefined();
    await waitFor('CR part-a gone', async () => ((await finalizersOf('part-a')) === undefined ? true : undefined));

    await deleteCr('part-b');
    await waitFor('key b removed', async () => ((await keysOf('shared')).b === undefined ? true : undefined));
    secret = (await h.readSecret(ns, 'shared'))!;
    expect(Object.keys(secret.data ?? {})).toEqual(['mine']);
  });

  it('renaming output.secret.name deletes the old Secret; switching to a ConfigMap deletes that one too', async () => {
    h.emulator.setSecret('kv1', 'mover', VALUE);
    await h.createAkvs(ns, 'mover', secretSpec('mover', 'old-name', 'v'));
    await waitFor('old-name', async () => (decode(await h.readSecret(ns, 'old-name'), 'v') === VALUE ? true : undefined));
    await waitFor('mover Ready', () => ready('mover'));
    await h.custom.patchNamespacedCustomObject({ ...CRS, namespace: ns, name: 'mover', body: [{ op: 'replace', path: '/spec/output/secret/name', value: 'new-name' }] });
    await waitFor('new-name written, old-name deleted', async () =>
      (decode(await h.readSecret(ns, 'new-name'), 'v') === VALUE && (await h.readSecret(ns, 'old-name')) === undefined ? true : undefined));
    await waitFor('status names new-name', async () => ((await h.getStatus(ns, 'mover'))?.outputName === 'new-name' ? true : undefined));

    await h.custom.patchNamespacedCustomObject({ ...CRS, namespace: ns, name: 'mover', body: [{ op: 'replace', path: '/spec/output', value: { configMap: { name: 'as-cm', dataKey: 'v' } } }] });
    await waitFor('ConfigMap written, Secret deleted', async () => {
      const cm = await h.core.readNamespacedConfigMap({ namespace: ns, name: 'as-cm' }).catch(() => undefined);
      return cm?.data?.v === VALUE && (await h.readSecret(ns, 'new-name')) === undefined ? true : undefined;
    });
    expect(await h.getStatus(ns, 'mover')).toMatchObject({ outputKind: 'ConfigMap', outputName: 'as-cm' });
  });

  it('a renamed output another CR also writes loses only this CR\'s keys', async () => {
    await twoWriters('joint', ['stay', 's'], ['leave', 'l']);
    await waitFor('leave Ready', () => ready('leave'));
    await h.custom.patchNamespacedCustomObject({ ...CRS, namespace: ns, name: 'leave', body: [{ op: 'replace', path: '/spec/output/secret/name', value: 'elsewhere' }] });
    await waitFor('key l moved', async () => ((await keysOf('joint')).l === undefined && (await keysOf('elsewhere')).l === 'value-leave' ? true : undefined));
    expect(await keysOf('joint')).toEqual({ s: 'value-stay' });
  });

  it('uninstall: with the agent gone, removing the finalizer by hand (docs/agent.md) deletes the CR and leaves its Secret', async () => {
    const stack = getTestStack();
    const ns2 = await stack.createNamespace('uninstall');
    const other = await startAgentHarness({ existingNamespaces: [ns2], emulator: h.emulator });
    try {
      h.emulator.setSecret('kv1', 'kept', VALUE);
      await other.createAkvs(ns2, 'kept', secretSpec('kept', 'kept', 'v'));
      await waitFor('Secret kept', async () => (decode(await other.readSecret(ns2, 'kept'), 'v') === VALUE ? true : undefined));
      await other.agent.whenIdle();
      await other.agent.stop();
      await other.custom.deleteNamespacedCustomObject({ ...CRS, namespace: ns2, name: 'kept' });
      const terminating = (await other.custom.getNamespacedCustomObject({ ...CRS, namespace: ns2, name: 'kept' })) as { metadata: { deletionTimestamp?: string; finalizers?: string[] } };
      expect(terminating.metadata.deletionTimestamp).toBeDefined();
      expect(terminating.metadata.finalizers).toEqual([FINALIZER]);
      // The documented command, with the real kubectl.
      await run(stack.kubectl, ['--kubeconfig', stack.kubeconfigPath, 'patch', 'azurekeyvaultsecrets.akvsync.io', 'kept', '-n', ns2, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      await waitFor('CR gone', async () => ((await other.custom.getNamespacedCustomObject({ ...CRS, namespace: ns2, name: 'kept' }).catch(() => undefined)) === undefined ? true : undefined));
      const secret = await other.readSecret(ns2, 'kept');
      expect(decode(secret, 'v')).toBe(VALUE);
      expect(secret?.metadata?.ownerReferences).toBeUndefined(); // nothing for the garbage collector to follow
    } finally {
      await other.rbac?.remove();
      await h.core.deleteNamespace({ name: ns2 }).catch(() => undefined);
    }
  });

  it('a Secret edited or deleted by hand is put back from the last read, without a Key Vault call', async () => {
    await oneWriter('guarded');
    h.emulator.resetCounters();
    await h.core.patchNamespacedSecret({ namespace: ns, name: 'guarded', body: [{ op: 'replace', path: '/data/v', value: Buffer.from('tampered').toString('base64') }] });
    await waitFor('edit put back', () => holds('guarded'));
    await h.core.deleteNamespacedSecret({ namespace: ns, name: 'guarded' });
    await waitFor('deletion put back', () => holds('guarded'));
    await h.agent.whenIdle();
    expect(h.emulator.requestCount({ vault: 'kv1', operation: 'getSecret' })).toBe(0);
  });

  it('an edit loop of 50 edits is repaired at the rate limit, with bounded Key Vault reads, and ends put back', async () => {
    await oneWriter('looped');
    h.emulator.resetCounters();
    const repairsBefore = h.logLines.filter((l) => l.includes('"output drifted; putting it back"')).length;
    const started = Date.now();
    for (let i = 0; i < 50; i++) {
      await h.core.patchNamespacedSecret({ namespace: ns, name: 'looped', body: [{ op: 'replace', path: '/data/v', value: Buffer.from(`edit-${i}`).toString('base64') }] });
    }
    const loopSeconds = (Date.now() - started) / 1000;
    await waitFor('put back after the loop', () => holds('looped'));
    await h.agent.whenIdle();
    const repairs = h.logLines.filter((l) => l.includes('"output drifted; putting it back"')).length - repairsBefore;
    // Burst 3, then one per second: bounded by the loop's length, not by its 50 edits.
    expect(repairs).toBeGreaterThanOrEqual(1);
    expect(repairs).toBeLessThanOrEqual(3 + Math.ceil(loopSeconds) + 2);
    expect(repairs).toBeLessThan(50);
    // Repairs reuse the last read of the value: at most one Key Vault read whatever the number of edits.
    expect(h.emulator.requestCount({ vault: 'kv1', operation: 'getSecret' })).toBeLessThanOrEqual(1);
  });

  it('a disabled or deleted Key Vault object keeps the last value with Ready=False and a reason; back, it syncs again', async () => {
    const { version } = h.emulator.setSecret('kv1', 'fragile', VALUE);
    await h.createAkvs(ns, 'fragile', secretSpec('fragile', 'fragile', 'v'));
    await waitFor('fragile Ready', () => ready('fragile'));
    const before = (await h.readSecret(ns, 'fragile'))!;

    h.emulator.updateSecret('kv1', 'fragile', { enabled: false });
    expect((await h.agent.runFallbackCheck()).enqueued).toContain('object:kv1/secret/fragile');
    await h.agent.whenIdle();
    await waitFor('Ready=False SecretDisabled', async () => ((await condition('fragile', 'Ready'))?.reason === 'SecretDisabled' ? true : undefined));
    expect(await condition('fragile', 'Ready')).toMatchObject({ status: 'False', message: expect.stringContaining(`the output keeps version ${version}`) });
    expect((await h.readSecret(ns, 'fragile'))?.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);

    h.emulator.updateSecret('kv1', 'fragile', { enabled: true });
    expect((await h.agent.runFallbackCheck()).enqueued).toContain('object:kv1/secret/fragile');
    await waitFor('Ready again', () => ready('fragile'));

    h.emulator.deleteSecret('kv1', 'fragile');
    expect((await h.agent.runFallbackCheck()).enqueued).toContain('object:kv1/secret/fragile');
    await waitFor('Ready=False SecretNotFound', async () => ((await condition('fragile', 'Ready'))?.reason === 'SecretNotFound' ? true : undefined));
    expect(decode(await h.readSecret(ns, 'fragile'), 'v')).toBe(VALUE);

    h.emulator.recoverSecret('kv1', 'fragile');
    expect((await h.agent.runFallbackCheck()).enqueued).toContain('object:kv1/secret/fragile');
    await waitFor('Ready after recovery', () => ready('fragile'));
    expect(await condition('fragile', 'Synced')).toMatchObject({ status: 'True' });
    // Same value throughout: never blanked, never rewritten.
    expect((await h.readSecret(ns, 'fragile'))?.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('an expiry event for another version is ignored; for the synced one it sets Expiring, which a new version clears', async () => {
    const { version: old } = h.emulator.setSecret('kv1', 'aging', 'v1-value');
    await h.createAkvs(ns, 'aging', secretSpec('aging', 'aging', 'v'));
    await waitFor('aging Ready', () => ready('aging'));
    const { version: current } = h.emulator.setSecret('kv1', 'aging', 'v2-value');
    await h.notify(h.notification({ objectName: 'aging', version: current }));
    await waitFor('v2 synced', async () => ((await h.getStatus(ns, 'aging'))?.syncedVersion === current ? true : undefined));
    await h.agent.whenIdle();

    expect((await h.notify(h.notification({ objectName: 'aging', version: old, eventType: 'Microsoft.KeyVault.SecretNearExpiry' }))).status).toBe(202);
    await h.agent.whenIdle();
    await waitFor('the ignore logged', () => (h.logLines.some((l) => l.includes('expiry event for a version no CR holds')) ? true : undefined));
    expect(await condition('aging', 'Expiring')).toBeUndefined();

    await h.notify(h.notification({ objectName: 'aging', version: current, eventType: 'Microsoft.KeyVault.SecretNearExpiry' }));
    await waitFor('Expiring=True', async () => ((await condition('aging', 'Expiring'))?.status === 'True' ? true : undefined));

    const { version: next } = h.emulator.setSecret('kv1', 'aging', 'v3-value');
    await h.notify(h.notification({ objectName: 'aging', version: next }));
    await waitFor('Expiring cleared', async () => ((await condition('aging', 'Expiring'))?.reason === 'NewVersionSynced' ? true : undefined));
    expect(await condition('aging', 'Expiring')).toMatchObject({ status: 'False' });
  });

  it('no value in the agent\'s logs, Events or statuses on these paths', async () => {
    const events = await h.core.listNamespacedEvent({ namespace: ns });
    const crs = (await h.custom.listNamespacedCustomObject({ ...CRS, namespace: ns })) as { items: { status?: unknown }[] };
    const visible = JSON.stringify({ logs: h.logLines, events: events.items.map((e) => [e.reason, e.message]), statuses: crs.items.map((c) => c.status) });
    for (const value of [VALUE, 'value-part-a', 'value-part-b', 'value-stay', 'value-leave', 'hand-made', 'tampered', 'v1-value', 'v2-value', 'v3-value']) {
      expect(visible).not.toContain(value);
      expect(visible).not.toContain(Buffer.from(value).toString('base64'));
    }
    expect(visible).toContain('output drifted; putting it back');
    expect(visible).toContain('keys of this CR removed from a shared output');
  });
});

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 500)}`))));
  });
}
