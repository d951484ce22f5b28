/**
 * kube-controller-manager runs: a Deployment gets a ReplicaSet (and Pods, which stay Pending: no kubelet),
 * and the garbage collector deletes objects whose owner is gone.
 */
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const apps = stack.kubeConfig.makeApiClient(AppsV1Api);
const core = stack.kubeConfig.makeApiClient(CoreV1Api);
const wait = { timeoutMs: 30_000, intervalMs: 50 };

const deployment = (name: string): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'registry.invalid/app:1' }] } },
  },
});

describe('controllers of the local control plane', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await stack.createNamespace('controllers');
  });

  it('the deployment controller creates a ReplicaSet owned by the Deployment, and it creates the Pods', async () => {
    const created = await apps.createNamespacedDeployment({ namespace, body: deployment('web') });

    const replicaSet = await waitUntil('a ReplicaSet for the Deployment', async () => (await apps.listNamespacedReplicaSet({ namespace })).items[0], wait);
    expect(replicaSet.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', uid: created.metadata?.uid, controller: true })]);
    const pods = await waitUntil('two Pods', async () => {
      const items = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
      return items.length === 2 ? items : undefined;
    }, wait);
    expect(pods.map((p) => p.status?.phase)).toEqual(['Pending', 'Pending']);
  });

  it('a pod-template change rolls out a new ReplicaSet (what a rolling restart relies on)', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('api') });
    await waitUntil('the first ReplicaSet', async () => ((await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=api' })).items.length === 1 ? true : undefined), wait);

    await apps.patchNamespacedDeployment(
      { namespace, name: 'api', body: { spec: { template: { metadata: { annotations: { 'akvsync.io/restartedAt': 'hash-1' } } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const sets = await waitUntil('a second ReplicaSet', async () => {
      const items = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=api' })).items;
      return items.length === 2 ? items : undefined;
    }, wait);
    expect(sets.map((s) => s.spec?.template?.metadata?.annotations?.['akvsync.io/restartedAt']).sort()).toEqual(['hash-1', undefined].sort());
  });

  it('the garbage collector deletes a ConfigMap whose owner was deleted', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }] } },
    });

    await core.deleteNamespacedConfigMap({ namespace, name: 'owner' });

    const remaining = await waitUntil('the owned ConfigMap to be collected', async () => {
      const names = (await core.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name);
      return names.includes('owned') ? undefined : names;
    }, wait);
    expect(remaining).not.toContain('owner');
  });
});
