import type { AkvsSpec, AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';

/** A valid `secret` → Opaque Secret spec; override any part. */
export function aSpec(overrides: Partial<AkvsSpec> = {}): AkvsSpec {
  return {
    vault: { name: 'my-kv', object: { name: 'my-secret', type: 'secret' } },
    output: { secret: { name: 'my-secret-from-akv', dataKey: 'secret-value' } },
    ...overrides,
  };
}

/** A valid AzureKeyVaultSecret around aSpec(); override metadata or spec. */
export function anAkvs(overrides: { spec?: Partial<AkvsSpec>; metadata?: Partial<AzureKeyVaultSecret['metadata']> } = {}): AzureKeyVaultSecret {
  return {
    apiVersion: 'akvsync.io/v1',
    kind: 'AzureKeyVaultSecret',
    metadata: { name: 'secret-sync', namespace: 'akv-test', uid: '00000000-0000-4000-8000-000000000001', generation: 1, ...overrides.metadata },
    spec: aSpec(overrides.spec),
  };
}
