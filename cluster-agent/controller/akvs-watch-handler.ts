import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { validateAkvsSpec } from '../../core/crd/validate-spec.js';
import type { AkvsIndex } from './akvs-index.js';
import { vaultObjectRefOf } from '../../core/sync/object-types.js';
import { crKey, objectKey } from './object-key.js';

interface Enqueue {
  add(key: string): void;
}

/**
 * What the informer's add/update/delete mean: keep the CR → vault-object index current and enqueue the object when a
 * CR is new or its spec changed (generation moved). Status-only updates (our own writes) enqueue nothing, so a status
 * write never loops. A spec that does not validate is indexed under a key of its own, so reconcile can say why.
 * Deletion needs no work: the output goes with the CR through its owner reference, or stays (`deletionPolicy: Retain`,
 * written without one).
 */
export class AkvsWatchHandler {
  constructor(
    private readonly index: AkvsIndex,
    private readonly queue: Enqueue,
  ) {}

  upsert(cr: AzureKeyVaultSecret): void {
    const { namespace, name } = cr.metadata;
    if (cr.metadata.deletionTimestamp) return;
    const previous = this.index.get(namespace, name);
    const check = validateAkvsSpec(cr.spec);
    const key = check.ok
      ? objectKey(vaultObjectRefOf(check.spec))
      : crKey(namespace, name);
    const indexed = check.ok ? { ...cr, spec: check.spec } : cr;
    const previousKey = this.index.upsert(indexed, key);
    const changed = !previous || previous.metadata.uid !== cr.metadata.uid || previous.metadata.generation !== cr.metadata.generation;
    if (changed || previousKey !== key) this.queue.add(key);
  }

  remove(cr: AzureKeyVaultSecret): void {
    const current = this.index.get(cr.metadata.namespace, cr.metadata.name);
    if (current && current.metadata.uid !== cr.metadata.uid) return;
    this.index.remove(cr.metadata.namespace, cr.metadata.name);
  }
}
