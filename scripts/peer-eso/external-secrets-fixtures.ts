/**
 * What External Secrets Operator needs in the local cluster for the peer benchmark: its CRDs (from the module's
 * own deploy/crds/bundle.yaml, server-side applied), and per namespace a Secret with the app's credentials, a
 * SecretStore for the Key Vault emulator (Azure provider, ServicePrincipal) and ExternalSecrets.
 */
import { readFileSync } from 'node:fs';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, loadAllYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { forEachLimited } from '../../core/concurrency/for-each-limited.js';
import { waitUntil } from '../local-stack/wait-until.js';

export const ESO_GROUP = 'external-secrets.io';
export const ESO_VERSION_SERVED = 'v1';
const FIELD_MANAGER = 'akvsync-bench';
const STORE = 'kv-emulator';
const CREDENTIALS = 'kv-emulator-app';

type CrdStatus = KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } };

export async function applyExternalSecretsCrds(kubeConfig: KubeConfig, bundleFile: string): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const crds = loadAllYaml(readFileSync(bundleFile, 'utf8')).filter((o): o is KubernetesObject => (o as KubernetesObject | null)?.kind === 'CustomResourceDefinition');
  await forEachLimited(crds, 4, (crd) => objects.patch(crd, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply).then(() => undefined));
  for (const plural of ['externalsecrets', 'secretstores']) {
    const ref = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${ESO_GROUP}` } };
    await waitUntil(`the ${plural} CRD to be established`, async () => ((await objects.read<CrdStatus>(ref)).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined), { timeoutMs: 60_000 });
    await waitUntil(`${plural} to be served`, async () => (await kubeConfig.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: ESO_GROUP, version: ESO_VERSION_SERVED, plural, limit: 1 }), true), { timeoutMs: 30_000 });
  }
}

/** The app's credentials Secret and a SecretStore pointing at the emulated vault (v1 token endpoint via Entra ID's host). */
export async function createSecretStore(kubeConfig: KubeConfig, namespace: string, o: { vaultUrl: string; tenantId: string; clientId: string; clientSecret: string }): Promise<string> {
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace,
    body: { metadata: { name: CREDENTIALS, namespace }, stringData: { 'client-id': o.clientId, 'client-secret': o.clientSecret } },
  });
  await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: ESO_GROUP,
    version: ESO_VERSION_SERVED,
    plural: 'secretstores',
    namespace,
    body: {
      apiVersion: `${ESO_GROUP}/${ESO_VERSION_SERVED}`,
      kind: 'SecretStore',
      metadata: { name: STORE, namespace },
      spec: {
        provider: {
          azurekv: {
            authType: 'ServicePrincipal',
            environmentType: 'PublicCloud',
            vaultUrl: o.vaultUrl,
            tenantId: o.tenantId,
            authSecretRef: { clientId: { name: CREDENTIALS, key: 'client-id' }, clientSecret: { name: CREDENTIALS, key: 'client-secret' } },
          },
        },
      },
    },
  });
  return STORE;
}

/** An ExternalSecret whose Secret (same name) holds the Key Vault secret `object` under data key `value`. */
export async function createExternalSecret(kubeConfig: KubeConfig, namespace: string, name: string, o: { object: string; refreshInterval: string }): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: ESO_GROUP,
    version: ESO_VERSION_SERVED,
    plural: 'externalsecrets',
    namespace,
    body: {
      apiVersion: `${ESO_GROUP}/${ESO_VERSION_SERVED}`,
      kind: 'ExternalSecret',
      metadata: { name, namespace },
      spec: {
        refreshInterval: o.refreshInterval,
        secretStoreRef: { kind: 'SecretStore', name: STORE },
        target: { name, creationPolicy: 'Owner' },
        data: [{ secretKey: 'value', remoteRef: { key: o.object } }],
      },
    },
  });
}
