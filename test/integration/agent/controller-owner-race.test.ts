/**
 * Two AzureKeyVaultSecrets creating one Secret at the same moment, made deterministic on the real apiserver: both
 * writers believe the Secret is absent (as when both look it up before either applies), so both ask to be its
 * controller owner. The apiserver refuses the second with 422 on metadata.ownerReferences; the writer re-reads and
 * joins as a non-controller owner instead of failing for good.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { KubeClusterApi } from '../../../cluster-agent/adapters/kube-cluster-api.js';
import { writeOutput } from '../../../cluster-agent/controller/write-output.js';
import type { AzureKeyVaultSecret } from '../../../core/crd/azure-key-vault-secret.js';
import { dataHash } from '../../../core/sync/data-hash.js';
import { getTestStack } from '../support/stack-client.js';
import { applyCrd } from './agent-harness.js';

const hashKey = new Uint8Array(32).fill(5);

describe('agent: two CRs creating one output at once (422 on the controller owner reference)', () => {
  let cluster: KubeClusterApi;
  let ns: string;
  let crs: AzureKeyVaultSecret[];
  beforeAll(async () => {
    const stack = getTestStack();
    await applyCrd();
    ns = await stack.createNamespace('owner-race');
    cluster = new KubeClusterApi(stack.kubeConfig, { now: () => Date.now() }, hashKey);
    const custom = stack.kubeConfig.makeApiClient(CustomObjectsApi);
    crs = [];
    for (const [name, object, dataKey] of [['secret-sync-1', 'my-secret', 'secret-value-1'], ['secret-sync-2', 'my-other-secret', 'secret-value-2']] as const) {
      crs.push(await custom.createNamespacedCustomObject({
        group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns,
        body: { apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', metadata: { name, namespace: ns }, spec: { vault: { name: 'kv1', object: { name: object, type: 'secret' } }, output: { secret: { name: 'shared', dataKey } } } },
      }) as AzureKeyVaultSecret);
    }
  });
  afterAll(async () => {
    await cluster?.close();
    await getTestStack().kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('both writes land: both keys, one controller owner, two owners', async () => {
    const write = (cr: AzureKeyVaultSecret, key: string, value: string) => {
      const data = { [key]: Buffer.from(value) };
      return writeOutput(
        { cluster, lookup: async () => undefined }, // both saw no Secret
        cr,
        { kind: 'Secret', namespace: ns, name: 'shared', secretType: 'Opaque', data, dataHash: dataHash(data, hashKey) },
        { version: 'v1', labels: {}, ownerReference: true }, // AKVSYNC_OUTPUT_OWNER_REFERENCES=true
      );
    };
    const results = await Promise.all([write(crs[0]!, 'secret-value-1', 'one'), write(crs[1]!, 'secret-value-2', 'two')]);
    expect(results.every((r) => r.written)).toBe(true);
    const secret = await getTestStack().kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: ns, name: 'shared' });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['secret-value-1', 'secret-value-2']);
    expect(secret.metadata?.ownerReferences?.filter((o) => o.controller)).toHaveLength(1);
    expect(secret.metadata?.ownerReferences).toHaveLength(2);
  });
});
