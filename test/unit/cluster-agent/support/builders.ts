import type { AkvsSpec, AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import type { Workload } from '../../../../cluster-agent/ports/cluster-api.js';

let uid = 0;

/** A valid AzureKeyVaultSecret (vault `kv1`, secret `db-password` → Secret `db` key `password`) plus overrides. */
export function akvs(overrides: { name?: string; namespace?: string; uid?: string; generation?: number; spec?: Partial<AkvsSpec> } = {}): AzureKeyVaultSecret {
  const spec: AkvsSpec = {
    vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } },
    output: { secret: { name: 'db', dataKey: 'password' } },
    ...overrides.spec,
  };
  return {
    apiVersion: 'akvsync.io/v1',
    kind: 'AzureKeyVaultSecret',
    metadata: {
      name: overrides.name ?? 'db',
      namespace: overrides.namespace ?? 'team-a',
      uid: overrides.uid ?? `uid-${++uid}`,
      generation: overrides.generation ?? 1,
    },
    spec,
  };
}

/** A Deployment that opted in with akvsync.io/reload and references Secret `secretName` through envFrom. */
export function deployment(overrides: { name?: string; namespace?: string; secretName?: string; annotations?: Record<string, string> } = {}): Workload {
  return {
    kind: 'Deployment',
    namespace: overrides.namespace ?? 'team-a',
    name: overrides.name ?? 'api',
    annotations: overrides.annotations ?? { 'akvsync.io/reload': 'true' },
    podTemplate: {
      annotations: {},
      spec: { containers: [{ name: 'app', image: 'app:1', envFrom: [{ secretRef: { name: overrides.secretName ?? 'db' } }] }] },
    },
  };
}
