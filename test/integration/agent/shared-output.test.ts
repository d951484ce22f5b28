/**
 * akv2k8s example 05 on the real apiserver: two AzureKeyVaultSecrets, taken unchanged from akv2k8s's published
 * manifest (only the apiVersion, namespace and vault name changed), write two keys of one Secret. Each key is owned by
 * its CR's field manager, both CRs own the Secret, a rotation of one changes only its key and rolls the workload once,
 * nothing flip-flops, a third CR cannot take a key, and deleting one CR leaves the other's Secret in place.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { AkvsSpec } from '../../../core/crd/azure-key-vault-secret.js';
import { reloadingDeployment } from '../../../scripts/demo/cluster-fixtures.js';
import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

const FIXTURE = join(fileURLToPath(new URL('../../../', import.meta.url)), '..', 'shared', 'fixtures', 'akv2k8s-examples', '05-sync-multi-akvs-to-one-secret.akvs.yaml');
const SECRET = 'my-secrets-from-akv';

/** The two CRs of example 05: name and spec, vault renamed to the emulator's. */
function example05(): { name: string; spec: AkvsSpec }[] {
  return parseAllDocuments(readFileSync(FIXTURE, 'utf8')).map((doc) => {
    const cr = doc.toJS() as { metadata: { name: string }; spec: AkvsSpec };
    return { name: cr.metadata.name, spec: { ...cr.spec, vault: { ...cr.spec.vault, name: 'kv1' } } };
  });
}

describe('agent: several AzureKeyVaultSecrets writing one Secret (akv2k8s example 05)', () => {
  let h: AgentHarness;
  let ns: string;
  beforeAll(async () => {
    h = await startAgentHarness();
    ns = h.namespaces[0] as string;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const keysOf = async (): Promise<Record<string, string | undefined>> => {
    const secret = await h.readSecret(ns, SECRET);
    return Object.fromEntries(Object.keys(secret?.data ?? {}).map((k) => [k, decode(secret!, k)]));
  };

  it('writes both keys into one Secret, each owned by its CR, and settles', async () => {
    const [one, two] = example05();
    expect([one?.name, two?.name]).toEqual(['secret-sync-1', 'secret-sync-2']);
    h.emulator.setSecret('kv1', 'my-secret', 'value-of-one');
    h.emulator.setSecret('kv1', 'my-other-secret', 'value-of-two');
    await h.createAkvs(ns, one!.name, one!.spec);
    await waitFor('the first key', async () => ((await keysOf())['secret-value-1'] === 'value-of-one' ? true : undefined));
    await h.createAkvs(ns, two!.name, two!.spec);
    await waitFor('both keys', async () => ((await keysOf())['secret-value-2'] === 'value-of-two' ? true : undefined));
    expect(await keysOf()).toEqual({ 'secret-value-1': 'value-of-one', 'secret-value-2': 'value-of-two' });

    const secret = (await h.readSecret(ns, SECRET))!;
    // No owner references by default (docs/adr/0004-output-lifecycle.md): each CR's finalizer cleans up its part.
    expect(secret.metadata?.ownerReferences).toBeUndefined();
    const owned = Object.fromEntries(
      (secret.metadata?.managedFields ?? []).filter((f) => f.manager?.startsWith('akvsync/')).map((f) => [f.manager, Object.keys((f.fieldsV1 as { 'f:data'?: object })['f:data'] ?? {})]),
    );
    expect(owned).toEqual({ 'akvsync/secret-sync-1': ['f:secret-value-1'], 'akvsync/secret-sync-2': ['f:secret-value-2'] });
    for (const name of ['secret-sync-1', 'secret-sync-2']) {
      await waitFor(`${name} Ready`, async () => ((await h.getStatus(ns, name))?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined));
    }
    // Each status holds the hash of its CR's own key; the Secret's annotation, the hash of both.
    const statuses = await Promise.all(['secret-sync-1', 'secret-sync-2'].map((name) => h.getStatus(ns, name)));
    const hashes = [...statuses.map((s) => s?.dataHash), secret.metadata?.annotations?.['akvsync.io/data-hash']];
    expect(new Set(hashes).size).toBe(3);
    expect(hashes.every((x) => /^[0-9a-f]{64}$/.test(x ?? ''))).toBe(true);

    // Settled: a full re-check of both objects writes nothing.
    const resourceVersion = secret.metadata?.resourceVersion;
    h.emulator.setSecret('kv1', 'unrelated', 'x');
    await h.agent.runFallbackCheck();
    await h.agent.whenIdle();
    await h.notify(h.notification({ objectName: 'my-secret', version: 'any' }));
    await h.notify(h.notification({ objectName: 'my-other-secret', version: 'any' }));
    await h.agent.whenIdle();
    expect((await h.readSecret(ns, SECRET))?.metadata?.resourceVersion).toBe(resourceVersion);
  });

  it('a rotation of one object changes only its key and rolls the workload once', async () => {
    await h.apps.createNamespacedDeployment({ namespace: ns, body: reloadingDeployment({ namespace: ns, name: 'web', secretName: SECRET, dataKey: 'secret-value-1' }) });
    const annotationsOf = async (): Promise<Record<string, string>> =>
      (await h.apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).spec?.template?.metadata?.annotations ?? {};
    const { version } = h.emulator.setSecret('kv1', 'my-other-secret', 'value-of-two-rotated');
    await h.notify(h.notification({ objectName: 'my-other-secret', version }));
    await waitFor('the rotated key', async () => ((await keysOf())['secret-value-2'] === 'value-of-two-rotated' ? true : undefined));
    await h.agent.whenIdle();
    expect(await keysOf()).toEqual({ 'secret-value-1': 'value-of-one', 'secret-value-2': 'value-of-two-rotated' });
    const hash = (await h.readSecret(ns, SECRET))?.metadata?.annotations?.['akvsync.io/data-hash'];
    expect(await annotationsOf()).toEqual({ [`restart.akvsync.io/secret-${SECRET}`]: hash });
    const generation = (await h.apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).metadata?.generation;
    await h.notify(h.notification({ objectName: 'my-secret', version: 'again' }));
    await h.agent.whenIdle();
    expect((await h.apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).metadata?.generation).toBe(generation);
  });

  it('refuses a third CR that names a key another CR writes, changing nothing', async () => {
    h.emulator.setSecret('kv1', 'thief', 'stolen?');
    const before = await h.readSecret(ns, SECRET);
    await h.createAkvs(ns, 'thief', { vault: { name: 'kv1', object: { name: 'thief', type: 'secret' } }, output: { secret: { name: SECRET, dataKey: 'secret-value-1' } } });
    const status = await waitFor('thief refused', async () => {
      const s = await h.getStatus(ns, 'thief');
      return s?.conditions?.some((c) => c.type === 'Synced' && c.reason === 'OutputKeyConflict') ? s : undefined;
    });
    expect(status.conditions?.find((c) => c.type === 'Synced')?.message).toContain('is written by AzureKeyVaultSecret secret-sync-1');
    expect((await h.readSecret(ns, SECRET))?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    await h.custom.deleteNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'thief' });
  });

  it('deleting one CR removes only its key (finalizer); the Secret stays with the other', async () => {
    await h.custom.deleteNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'secret-sync-1' });
    await waitFor('the first key removed', async () => ((await keysOf())['secret-value-1'] === undefined ? true : undefined));
    expect(await keysOf()).toEqual({ 'secret-value-2': 'value-of-two-rotated' });
    const secret = (await h.readSecret(ns, SECRET))!;
    const first = secret.metadata?.managedFields?.find((f) => f.manager === 'akvsync/secret-sync-1')?.fieldsV1 as Record<string, unknown> | undefined;
    expect(Object.keys(first ?? {})).toEqual(['f:type']); // its immutable `type` only, no data key
    expect(Object.keys(secret.metadata?.annotations ?? {})).not.toContain('synced-version.akvsync.io/secret-sync-1');
  });
});

describe('agent: example 05 applied in one kubectl apply (both CRs create the Secret at the same moment)', () => {
  let h: AgentHarness;
  beforeAll(async () => {
    // With owner references (the opt-in), both CRs ask to be the controller owner at once.
    h = await startAgentHarness({ env: { AKVSYNC_OUTPUT_OWNER_REFERENCES: 'true' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('the CR that loses the controller owner reference re-reads and joins: both keys, one controller, both Ready', async () => {
    const ns = h.namespaces[0] as string;
    h.emulator.setSecret('kv1', 'my-secret', 'value-of-one');
    h.emulator.setSecret('kv1', 'my-other-secret', 'value-of-two');
    const manifest = readFileSync(FIXTURE, 'utf8')
      .replaceAll('apiVersion: spv.no/v2beta1', 'apiVersion: akvsync.io/v1')
      .replaceAll('namespace: akv-test', `namespace: ${ns}`)
      .replaceAll('name: akv2k8s-test', 'name: kv1');
    const stack = getTestStack();
    await kubectlApply(stack.kubectl, stack.kubeconfigPath, manifest);
    const ready = async (name: string): Promise<boolean> =>
      (await h.getStatus(ns, name))?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    await waitFor('both CRs Ready', async () => ((await ready('secret-sync-1')) && (await ready('secret-sync-2')) ? true : undefined));
    const secret = (await h.readSecret(ns, SECRET))!;
    expect({ one: decode(secret, 'secret-value-1'), two: decode(secret, 'secret-value-2') }).toEqual({ one: 'value-of-one', two: 'value-of-two' });
    expect(secret.metadata?.ownerReferences?.filter((o) => o.controller)).toHaveLength(1);
    expect(secret.metadata?.ownerReferences?.map((o) => o.name).sort()).toEqual(['secret-sync-1', 'secret-sync-2']);
    expect(h.logLines.join('\n')).not.toContain('KubernetesRejected');
  });
});

/** `kubectl apply -f -` of one multi-document manifest (one request per object, back to back, as a user would). */
function kubectlApply(kubectl: string, kubeconfig: string, manifest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kubectl apply exited ${code}: ${stderr.slice(0, 500)}`))));
    child.stdin.end(manifest);
  });
}
