/**
 * The narrow port over Key Vault that the agent's reconcile loop uses. Adapters: KeyVaultSecretStore
 * (the real @azure/keyvault-secrets client); InMemorySecretStore for unit tests.
 * Values are returned only to the caller that writes them into Kubernetes; never log them.
 */
export interface SecretVersion {
  readonly vault: string;
  readonly name: string;
  readonly version: string;
  readonly value: string;
  readonly contentType: string | undefined;
  readonly enabled: boolean;
  /** epoch ms */
  readonly updatedOn: number | undefined;
  readonly expiresOn: number | undefined;
}

export interface SecretProperties {
  readonly vault: string;
  readonly name: string;
  readonly version: string | undefined;
  readonly enabled: boolean;
  readonly contentType: string | undefined;
  /** epoch ms; the fallback check reads only objects whose `updatedOn` moved. */
  readonly updatedOn: number | undefined;
}

export interface SecretStore {
  /** Latest version when `version` is undefined. Throws NotFoundError (absent or disabled) or TransientError. */
  getSecret(vault: string, name: string, version?: string): Promise<SecretVersion>;
  /** Properties of every secret in the vault, 25 per page. */
  listSecretProperties(vault: string): AsyncIterable<SecretProperties>;
}
