import type { VaultObjectProperties, VaultObjectRef, VaultObjectStore, VaultObjectType } from '../../core/ports/vault-object-store.js';
import { VAULT_OBJECT_TYPES } from '../../core/sync/object-types.js';

/** What one vault's properties listings show, per referenced object. */
export interface VaultListing {
  /** The object's properties; undefined when listed and absent (deleted); `unlisted` when no listing covers its type. */
  propertiesOf(ref: VaultObjectRef): VaultObjectProperties | undefined | 'unlisted';
}

/**
 * Lists a vault's properties once per listing its referenced objects need (the object-type table says which listing
 * shows an object's `updated` time: a certificate's is its secret's): ~N/25 calls, no value read. Shared by the
 * fallback check and the catch-up of a new leader. Throws what the store throws.
 */
export async function listVault(store: VaultObjectStore, vault: string, refs: readonly VaultObjectRef[]): Promise<VaultListing> {
  const listings = new Map<VaultObjectType, Map<string, VaultObjectProperties>>();
  for (const ref of refs) {
    const listing = VAULT_OBJECT_TYPES[ref.objectType].listedAs;
    if (listing !== undefined) listings.set(listing, new Map());
  }
  for (const [objectType, properties] of listings) {
    for await (const p of store.listProperties(vault, objectType)) properties.set(p.name, p);
  }
  return {
    propertiesOf(ref) {
      const listing = VAULT_OBJECT_TYPES[ref.objectType].listedAs;
      return listing === undefined ? 'unlisted' : listings.get(listing)?.get(ref.name);
    },
  };
}
