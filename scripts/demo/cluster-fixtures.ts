/**
 * What the demo, the end-to-end test and the benchmarks put into the local cluster: the AzureKeyVaultSecret CRD
 * (the agent's own manifest), namespaces, AzureKeyVaultSecrets, and a Deployment that opts in to restarts and uses
 * the synced Secret. Builders are "valid default plus overrides".
 */
import { readFileSync } from 'node:fs';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { RELOAD_ANNOTATION } from '../../core/crd/annotations.js';
import { AKVS_API_VERSION, AKVS_KIND, AKVS_PLURAL, AKVS_VERSION, AKVSYNC_GROUP, type AkvsSpec } from '../../core/crd/azure-key-vault-secret.js';
import { waitUntil } from '../local-stack/wait-until.js';

const CRD_FILE = new URL('../../cluster-agent/manifests/akvsync.io_azurekeyvaultsecrets.yaml', import.meta.url);
const FIELD_MANAGER = 'akvsync-demo';

type CrdStatus = KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } };

/**
 * Server-side applies the CRD unless the cluster already serves it (re-applying under another field manager would
 * rewrite the CRD under agents that are listing it), then waits until the apiserver serves the resource.
 */
export async function applyAkvsCrd(kubeConfig: KubeConfig): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const crd = loadYaml<KubernetesObject>(readFileSync(CRD_FILE, 'utf8'));
  const ref = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd.metadata?.name ?? '' } };
  const established = async (): Promise<true | undefined> =>
    (await objects.read<CrdStatus>(ref)).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  if (!(await established().catch(() => undefined))) {
    await objects.patch(crd, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    await waitUntil('the AzureKeyVaultSecret CRD to be established', established, { timeoutMs: 30_000 });
  }
  // Established comes a moment before the resource is served everywhere (a fresh CRD can still answer 429/404).
  await waitUntil(
    'the AzureKeyVaultSecret resource to be served',
    async () => (await kubeConfig.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: AKVS_PLURAL, limit: 1 }), true),
    { timeoutMs: 30_000 },
  );
}

export async function createNamespace(kubeConfig: KubeConfig, name: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  }
}

/** A secret-type AzureKeyVaultSecret whose output Secret has the same name and one data key. */
export function akvsSpec(o: { vault: string; object: string; secretName: string; dataKey?: string }): AkvsSpec {
  return {
    vault: { name: o.vault, object: { name: o.object, type: 'secret' } },
    output: { secret: { name: o.secretName, dataKey: o.dataKey ?? 'value' } },
  };
}

export async function createAkvs(kubeConfig: KubeConfig, namespace: string, name: string, spec: AkvsSpec): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: AKVSYNC_GROUP,
    version: AKVS_VERSION,
    plural: AKVS_PLURAL,
    namespace,
    body: { apiVersion: AKVS_API_VERSION, kind: AKVS_KIND, metadata: { name, namespace }, spec },
  });
}

/** A one-replica Deployment with `akvsync.io/reload: "true"` whose container reads `secretName` through an env var. */
export function reloadingDeployment(o: { namespace: string; name: string; secretName: string; dataKey?: string }): V1Deployment {
  const labels = { app: o.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace, annotations: { [RELOAD_ANNOTATION]: 'true' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.invalid/akvsync-demo-app:1',
              env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: o.secretName, key: o.dataKey ?? 'value' } } }],
            },
          ],
        },
      },
    },
  };
}

export async function createDeployment(kubeConfig: KubeConfig, deployment: V1Deployment): Promise<void> {
  await kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: deployment.metadata?.namespace ?? 'default', body: deployment });
}

/** The ReplicaSets a Deployment owns (kube-controller-manager creates one per pod-template revision). */
export async function replicaSetsOf(kubeConfig: KubeConfig, namespace: string, deployment: string): Promise<V1ReplicaSet[]> {
  const list = await kubeConfig.makeApiClient(AppsV1Api).listNamespacedReplicaSet({ namespace });
  return list.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment));
}
