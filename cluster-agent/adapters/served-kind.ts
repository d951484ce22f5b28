import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
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
