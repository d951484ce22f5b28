import type { VaultObjectStore } from '../../core/ports/vault-object-store.js';
import type { AkvsIndex } from './akvs-index.js';
import { parseKey } from './object-key.js';
import type { ReadStates } from './read-state.js';

/**
 * What the agent keeps per vault object and per vault lives only while a CR references it: when the last CR of a key
 * goes, its read state is dropped, and when the last CR of a vault goes, the vault's Key Vault client too.
 */
export function forgetUnreferenced(deps: { readonly index: AkvsIndex; readonly readStates: ReadStates; readonly store: VaultObjectStore }): (key: string) => void {
  return (key) => {
    deps.readStates.forget(key);
    const parsed = parseKey(key);
    if (parsed?.kind === 'object' && !deps.index.isVaultReferenced(parsed.ref.vault)) deps.store.forgetVault(parsed.ref.vault);
  };
}
