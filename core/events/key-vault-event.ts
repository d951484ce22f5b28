/** The normalised form of one Key Vault event, whatever schema or casing it arrived in. */
export type KeyVaultObjectType = 'Secret' | 'Certificate' | 'Key';
export type KeyVaultEventKind = 'NewVersionCreated' | 'NearExpiry' | 'Expired';

export interface KeyVaultEvent {
  /** Event Grid `id` / CloudEvents `id`. */
  readonly eventId: string;
  /** Full type, e.g. `Microsoft.KeyVault.SecretNewVersionCreated`. */
  readonly eventType: string;
  readonly kind: KeyVaultEventKind;
  readonly objectType: KeyVaultObjectType;
  /** Vault name, lower-cased (vault names are case-insensitive). */
  readonly vault: string;
  readonly objectName: string;
  /** Opaque version id (32 hex chars in Azure); never ordered by value. */
  readonly version: string;
  /** ISO-8601 event time. */
  readonly eventTime: string;
  /** The vault's resource id (`topic` / `source`), when present. */
  readonly vaultResourceId: string | undefined;
  /** `NBF` / `EXP` as epoch seconds, when present. */
  readonly notBefore: number | undefined;
  readonly expires: number | undefined;
}

/** Why an item of a delivery was not turned into a KeyVaultEvent. */
export interface RejectedEvent {
  readonly index: number;
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  /** `ignored`: a type we deliberately do not handle (VaultAccessPolicyChanged, unknown). `invalid`: malformed. */
  readonly outcome: 'ignored' | 'invalid';
  readonly reason: string;
}

export interface ParsedDelivery {
  readonly events: readonly KeyVaultEvent[];
  readonly rejected: readonly RejectedEvent[];
}
