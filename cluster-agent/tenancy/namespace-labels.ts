/**
 * A namespace's labels, for the access policy's namespace selectors: read from the apiserver (GET namespace), once per
 * namespace per reconcile (the caller memoizes). A namespace that is gone has no labels.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Labels } from '../../core/tenancy/label-selector.js';
import { isKubeNotFound, kubeError } from '../adapters/kube-errors.js';

export type NamespaceLabels = (namespace: string) => Promise<Labels>;

export function kubeNamespaceLabels(kubeConfig: KubeConfig): NamespaceLabels {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return async (name) => {
    try {
      const ns = await core.readNamespace({ name });
      return ns.metadata?.labels ?? {};
    } catch (error) {
      if (isKubeNotFound(error)) return {};
      throw kubeError(error, `get namespace ${name}`);
    }
  };
}
