/**
 * What the webhook reads from the apiserver: the AzureKeyVaultSecrets a pod's placeholders name, a stored pod (for
 * `/v1/env`), and the pod's pull secrets (its `imagePullSecrets`, then its ServiceAccount's), parsed for the image-config
 * resolver. Missing objects are left out (a missing pull secret is skipped, as the kubelet does; a missing
 * AzureKeyVaultSecret is refused by mutatePod). Pull-secret contents are never logged or put in an error.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeApiClients } from '../adapters/kube-api-clients.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { DockerConfig } from '../../core/images/pull-secret-credentials.js';
import type { Pod } from '../../core/injection/pod-types.js';
import { isKubeNotFound, kubeError } from '../adapters/kube-errors.js';

const AKVS = { group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets' } as const;
const DOCKER_CONFIG_KEYS: Readonly<Record<string, string>> = { 'kubernetes.io/dockerconfigjson': '.dockerconfigjson', 'kubernetes.io/dockercfg': '.dockercfg' };

export interface AdmissionLookups {
  akvsNamed(namespace: string, names: readonly string[]): Promise<AzureKeyVaultSecret[]>;
  pullSecrets(namespace: string, pod: Pod): Promise<DockerConfig[]>;
  readPod(namespace: string, name: string): Promise<Pod | undefined>;
}

async function orNothing<T>(read: Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isKubeNotFound(error)) return undefined;
    throw kubeError(error, what);
  }
}

/** Over pooled keep-alive connections: at hundreds of admissions a second, a TLS handshake per read was most of the cost. */
export function clusterAdmissionLookups(clients: Pick<KubeApiClients, 'make'>): AdmissionLookups {
  const core = clients.make(CoreV1Api);
  const custom = clients.make(CustomObjectsApi);
  const dockerConfig = async (namespace: string, name: string): Promise<DockerConfig | undefined> => {
    const secret = await orNothing(core.readNamespacedSecret({ namespace, name }), `get Secret ${namespace}/${name}`);
    const key = DOCKER_CONFIG_KEYS[secret?.type ?? ''];
    const encoded = key === undefined ? undefined : secret?.data?.[key];
    if (encoded === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as DockerConfig) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async akvsNamed(namespace, names) {
      const found = await Promise.all(names.map((name) =>
        orNothing(custom.getNamespacedCustomObject({ ...AKVS, namespace, name }) as Promise<AzureKeyVaultSecret>, `get AzureKeyVaultSecret ${namespace}/${name}`)));
      return found.filter((a): a is AzureKeyVaultSecret => a !== undefined);
    },
    async readPod(namespace, name) {
      return (await orNothing(core.readNamespacedPod({ namespace, name }), `get Pod ${namespace}/${name}`)) as Pod | undefined;
    },
    async pullSecrets(namespace, pod) {
      const saName = typeof pod.spec.serviceAccountName === 'string' ? pod.spec.serviceAccountName : 'default';
      const sa = await orNothing(core.readNamespacedServiceAccount({ namespace, name: saName }), `get ServiceAccount ${namespace}/${saName}`);
      const refs = [...((pod.spec.imagePullSecrets as { name?: string }[] | undefined) ?? []), ...(sa?.imagePullSecrets ?? [])];
      const names = [...new Set(refs.map((r) => r.name).filter((n): n is string => typeof n === 'string' && n !== ''))];
      const configs = await Promise.all(names.map((name) => dockerConfig(namespace, name)));
      return configs.filter((c): c is DockerConfig => c !== undefined);
    },
  };
}
