/**
 * The narrow port over Key Vault that the agent's reconcile loop and fallback check use: one read for every kind of
 * vault object, returning a typed union, and one properties listing. Adapters: KeyVaultObjectStore (the real Azure
 * SDK clients); InMemoryVaultObjectStore for unit tests. Values are returned only to the caller that writes them into
 * Kubernetes; never log them.
 */

/** The Key Vault object kinds (REST collections `secrets`, `certificates`, `keys`). */
export type VaultObjectType = 'secret' | 'certificate' | 'key';

export interface VaultObjectRef {
  /** Lower-cased: vault names are case-insensitive. */
  readonly vault: string;
  readonly objectType: VaultObjectType;
  readonly name: string;
}

interface VersionFacts {
  readonly vault: string;
  readonly name: string;
  readonly version: string;
  readonly enabled: boolean;
  /** epoch ms */
  readonly updatedOn: number | undefined;
  readonly expiresOn: number | undefined;
}

/**
 * A value read through the secrets API: a secret's value, or a certificate's exportable form (its backing secret,
 * same name and version: PEM text or base64 PKCS#12, told apart by `contentType`).
 */
export interface SecretValue extends VersionFacts {
  readonly kind: 'secret-value';
  readonly value: string;
  readonly contentType: string | undefined;
}

/** A key's public part as a JSON Web Key (RFC 7517 members: kty, n, e, crv, x, y). Never a private member. */
export interface PublicKey extends VersionFacts {
  readonly kind: 'public-key';
  readonly jwk: Readonly<Record<string, string>>;
}

export type VaultObject = SecretValue | PublicKey;

export interface VaultObjectProperties {
  readonly vault: string;
  readonly name: string;
  readonly version: string | undefined;
  readonly enabled: boolean;
  readonly contentType: string | undefined;
  /** epoch ms; the fallback check reads only objects whose `updatedOn` moved. */
  readonly updatedOn: number | undefined;
}

export interface VaultObjectStore {
  /**
   * The latest version when `version` is undefined. Throws NotFoundError (absent or disabled), TransientError, or
   * TerminalError (e.g. `UnsupportedObjectType` for a kind the adapter cannot read yet).
   */
  read(ref: VaultObjectRef, version?: string): Promise<VaultObject>;
  /** Properties of every object of `objectType` in the vault (paged). */
  listProperties(vault: string, objectType: VaultObjectType): AsyncIterable<VaultObjectProperties>;
}
