/**
 * Every cluster's signing key, whatever its source: configured clusters (AKVSYNC_CLUSTERS) and clusters listed in
 * AKVSYNC_REGISTRY_KEYS from app settings, every other registering cluster from Key Vault
 * (AKVSYNC_SIGNING_KEYS_VAULT_URL, cached: functions/adapters/key-vault-signing-keys.ts). The signer asks `current`
 * (synchronous for a key it holds); the registration endpoint asks `withId` for the key a request names.
 */
import type { SigningKey } from '../core/notification/signature.js';
import type { KeyVaultSigningKeys } from './adapters/key-vault-signing-keys.js';

export class ClusterSigningKeys {
  readonly #fixed: ReadonlyMap<string, SigningKey>;
  readonly #vault: Pick<KeyVaultSigningKeys, 'current' | 'withId'> | undefined;

  constructor(fixed: ReadonlyMap<string, SigningKey>, vault: Pick<KeyVaultSigningKeys, 'current' | 'withId'> | undefined) {
    this.#fixed = fixed;
    this.#vault = vault;
  }

  /** The key to sign the cluster's notifications with now. */
  current(cluster: string): SigningKey | undefined | Promise<SigningKey | undefined> {
    return this.#fixed.get(cluster) ?? this.#vault?.current(cluster);
  }

  /** The cluster's key with this id when the cluster may sign with it (its current key, or a rotation's older one). */
  async withId(cluster: string, keyId: string): Promise<SigningKey | undefined> {
    const fixed = this.#fixed.get(cluster);
    if (fixed) return fixed.keyId === keyId ? fixed : undefined;
    return this.#vault?.withId(cluster, keyId);
  }
}
