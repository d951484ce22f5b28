/**
 * The namespace hand-over of docs/migrate-from-akv2k8s.md, with what is built today: a Secret written by akv2k8s
 * (controller owner: its spv.no AzureKeyVaultSecret) is never written by the agent; after the akv2k8s CR is deleted
 * with `--cascade=orphan` and the Secret labelled akvsync.io/managed-by=akvsync, an akvsync.io/v1 CR adopts it with the
 * same data (no opted-in workload restarts); rolling back with deletionPolicy Retain leaves the Secret in place.
 * akv2k8s itself does not run here: a throwaway CRD of the same kind (AzureKeyVaultSecret) in another group stands in
 * for spv.no/v2beta1, and its Secret is created the way akv2k8s creates it.
 */
import { randomBytes } from 'node:crypto';
import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { V1Secret } from '@kubernetes/client-node';
import { getTestStack } from '../support/stack-client.js';
import { decode, startAgentHarness, waitFor } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

const stack = getTestStack();
const group = `g${randomBytes(4).toString('hex')}.spv-no.akvsync.test`;
const extensions = stack.kubeConfig.makeApiClient(ApiextensionsV1Api);
const custom = stack.kubeConfig.makeApiClient(CustomObjectsApi);
const spec = (name: string): Record<string, unknown> => ({ vault: { name: 'kv1', object: { name, type: 'secret' } }, output: { secret: { name, dataKey: 'value' } } });

describe('migrating a namespace from akv2k8s (what is built today)', () => {
  let h: AgentHarness;
  let ns: string;
  beforeAll(async () => {
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: `azurekeyvaultsecrets.${group}` },
        spec: {
          group, scope: 'Namespaced', names: { plural: 'azurekeyvaultsecrets', singular: 'azurekeyvaultsecret', kind: 'AzureKeyVaultSecret' },
          versions: [{ name: 'v2beta1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    await waitFor('stand-in CRD served', async () => (await custom.listClusterCustomObject({ group, version: 'v2beta1', plural: 'azurekeyvaultsecrets' }).then(() => true, () => undefined)));
    h = await startAgentHarness();
    ns = h.namespaces[0] as string;
  });
  afterAll(async () => {
    await h?.stop();
    await extensions.deleteCustomResourceDefinition({ name: `azurekeyvaultsecrets.${group}` }).catch(() => undefined);
  });

  /** An "akv2k8s" CR and the Secret akv2k8s would have written for it (controller owner reference, no akvsync label). */
  async function akv2k8sSecret(name: string, value: string): Promise<void> {
    const cr = (await custom.createNamespacedCustomObject({
      group, version: 'v2beta1', plural: 'azurekeyvaultsecrets', namespace: ns,
      body: { apiVersion: `${group}/v2beta1`, kind: 'AzureKeyVaultSecret', metadata: { name }, spec: spec(name) },
    })) as { metadata: { uid: string } };
    await h.core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name, ownerReferences: [{ apiVersion: `${group}/v2beta1`, kind: 'AzureKeyVaultSecret', name, uid: cr.metadata.uid, controller: true }] },
        type: 'Opaque', data: { value: Buffer.from(value).toString('base64') },
      },
    });
  }

  it('never writes a Secret akv2k8s owns, even when both name it', async () => {
    h.emulator.setSecret('kv1', 'still-akv2k8s', 'new-value');
    await akv2k8sSecret('still-akv2k8s', 'akv2k8s-value');
    await h.createAkvs(ns, 'still-akv2k8s', spec('still-akv2k8s') as never);
    await waitFor('SecretNotOwned', async () => ((await h.getStatus(ns, 'still-akv2k8s'))?.conditions?.some((c) => c.reason === 'SecretNotOwned') ? true : undefined));
    const secret = await h.readSecret(ns, 'still-akv2k8s');
    expect(decode(secret, 'value')).toBe('akv2k8s-value');
    expect(secret?.metadata?.labels?.['akvsync.io/managed-by']).toBeUndefined();
  });

  it('hands a Secret over (orphan, label, apply the akvsync.io CR) without changing its data, and rolls back with Retain', async () => {
    h.emulator.setSecret('kv1', 'db', 'same-value');
    await akv2k8sSecret('db', 'same-value');
    // 1. Delete the akv2k8s CR but keep its Secret (kubectl delete --cascade=orphan); the garbage collector drops the owner.
    await custom.deleteNamespacedCustomObject({ group, version: 'v2beta1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'db', propagationPolicy: 'Orphan' });
    await waitFor('owner reference removed', async () => (((await h.readSecret(ns, 'db'))?.metadata?.ownerReferences ?? []).length === 0 ? true : undefined));
    const before = await h.readSecret(ns, 'db') as V1Secret;
    // 2. Mark it as akvsync's, 3. apply the CR with only apiVersion changed.
    await h.core.patchNamespacedSecret({ namespace: ns, name: 'db', body: [{ op: 'add', path: '/metadata/labels', value: { 'akvsync.io/managed-by': 'akvsync' } }] });
    await h.createAkvs(ns, 'db', spec('db') as never);
    const adopted = await waitFor('adopted', async () => {
      const s = await h.readSecret(ns, 'db');
      // Adopted: the CR's field manager writes it (no owner reference by default: docs/adr/0004-output-lifecycle.md).
      return s?.metadata?.managedFields?.some((f) => f.manager === 'akvsync/db') ? s : undefined;
    });
    expect(adopted.data).toEqual(before.data);
    expect((await h.getStatus(ns, 'db'))?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    // Roll back: Retain drops the clean-up finalizer, so deleting the akvsync CR leaves the Secret for akv2k8s's CR.
    await custom.patchNamespacedCustomObject(
      { group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'db', body: [{ op: 'add', path: '/spec/deletionPolicy', value: 'Retain' }] },
    );
    await waitFor('finalizer dropped', async () => {
      const cr = (await custom.getNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'db' })) as { metadata: { finalizers?: string[] } };
      return (cr.metadata.finalizers ?? []).length === 0 ? true : undefined;
    });
    await custom.deleteNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'db' });
    await waitFor('CR gone', async () => (await h.getStatus(ns, 'db').then(() => undefined, () => true)));
    expect(decode(await h.readSecret(ns, 'db'), 'value')).toBe('same-value');
  });
});
