import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { BUILT_IN_WORKLOAD_KINDS, WORKLOAD_KINDS } from '../../core/restart/workload-kinds.js';
import type { WorkloadKind } from '../../core/restart/workload-kinds.js';
import { isKubeNotFound, kubeError } from './kube-errors.js';

/** client-node's API discovery (`resource`, protected there): GET /apis/<group>/<version>, its kinds. */
class Discovery extends KubernetesObjectApi {
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind)) !== undefined;
  }
}

/**
 * Whether the apiserver serves `kind` at `apiVersion` (API discovery, which every authenticated user may read): how the
 * agent finds out that an optional CRD — akv2k8s's spv.no/v2beta1 AzureKeyVaultSecret, Argo Rollouts — is installed.
 */
export async function isKindServed(kubeConfig: KubeConfig, apiVersion: string, kind: string): Promise<boolean> {
  try {
    return await kubeConfig.makeApiClient(Discovery).serves(apiVersion, kind);
  } catch (error) {
    if (isKubeNotFound(error)) return false;
    throw kubeError(error, `discover ${kind}.${apiVersion}`);
  }
}

/** The workload kinds to restart: the built-in ones, plus each optional one (Argo Rollouts) whose CRD is served. */
export async function servedWorkloadKinds(kubeConfig: KubeConfig): Promise<WorkloadKind[]> {
  const optional = (Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).filter((k) => WORKLOAD_KINDS[k].optional);
  const served = await Promise.all(optional.map((k) => isKindServed(kubeConfig, WORKLOAD_KINDS[k].apiVersion, k)));
  return [...BUILT_IN_WORKLOAD_KINDS, ...optional.filter((_, i) => served[i])];
}
