import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { parseKey } from './object-key.js';
import type { VaultObjectRef } from '../../core/ports/vault-object-store.js';

/**
 * The in-memory index CR → work-queue key (and back), maintained by the informer. It is what lets one Key Vault read
 * fan out to every CR that references the object.
 */
export class AkvsIndex {
  private readonly byCr = new Map<string, { cr: AzureKeyVaultSecret; key: string }>();
  private readonly byKey = new Map<string, Set<string>>();

  /** Records (or moves) a CR under `key`; returns the key it was under before, if any. */
  upsert(cr: AzureKeyVaultSecret, key: string): string | undefined {
    const id = crId(cr.metadata.namespace, cr.metadata.name);
    const previous = this.byCr.get(id)?.key;
    if (previous !== undefined && previous !== key) this.detach(id, previous);
    this.byCr.set(id, { cr, key });
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(id);
    return previous;
  }

  /** Forgets a CR; returns the key it was under. */
  remove(namespace: string, name: string): string | undefined {
    const id = crId(namespace, name);
    const entry = this.byCr.get(id);
    if (!entry) return undefined;
    this.byCr.delete(id);
    this.detach(id, entry.key);
    return entry.key;
  }

  get(namespace: string, name: string): AzureKeyVaultSecret | undefined {
    return this.byCr.get(crId(namespace, name))?.cr;
  }

  keyOf(namespace: string, name: string): string | undefined {
    return this.byCr.get(crId(namespace, name))?.key;
  }

  /** The CRs currently under `key`, in a stable order. */
  crsFor(key: string): AzureKeyVaultSecret[] {
    const ids = [...(this.byKey.get(key) ?? [])].sort();
    return ids.map((id) => this.byCr.get(id)?.cr).filter((cr): cr is AzureKeyVaultSecret => cr !== undefined);
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /** Vault objects referenced by at least one CR, grouped by vault (what the fallback check lists). */
  referencedObjects(): Map<string, VaultObjectRef[]> {
    const byVault = new Map<string, VaultObjectRef[]>();
    for (const key of this.byKey.keys()) {
      const parsed = parseKey(key);
      if (parsed?.kind !== 'object') continue;
      const list = byVault.get(parsed.ref.vault) ?? [];
      list.push(parsed.ref);
      byVault.set(parsed.ref.vault, list);
    }
    return byVault;
  }

  get size(): number {
    return this.byCr.size;
  }

  private detach(id: string, key: string): void {
    const set = this.byKey.get(key);
    set?.delete(id);
    if (set?.size === 0) this.byKey.delete(key);
  }
}

function crId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
