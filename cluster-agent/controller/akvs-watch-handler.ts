import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { validateAkvsSpec } from '../../core/crd/validate-spec.js';
import type { AkvsIndex } from './akvs-index.js';
import { vaultObjectRefOf } from '../../core/sync/object-types.js';
import { crKey, objectKey } from './object-key.js';
import type { OutputLifecycle } from './output-lifecycle.js';

interface Enqueue {
  /** A full reconcile of the key. */
  add(key: string): void;
  /** Only this CR of the vault object changed (ReconcileRequests: the per-CR fast path). */
  addCr?(key: string, crId: string): void;
}

/**
 * What the informer's add/update/delete mean: keep the CR → vault-object index current and enqueue the object when a
 * CR is new or its spec changed (generation moved). Status-only updates (our own writes) enqueue nothing, so a status
 * write never loops. A spec that does not validate is indexed under a key of its own, so reconcile can say why.
 * A CR being deleted leaves the index at once (no reconcile writes it any more) and, with our finalizer on it, is handed
 * to the output lifecycle, which cleans its output up (controller/output-lifecycle.ts).
 */
export class AkvsWatchHandler {
  constructor(
    private readonly index: AkvsIndex,
    private readonly queue: Enqueue,
    /** Called with a key no CR is indexed under any more (a CR deleted or moved to another object): evict its state. */
    private readonly onUnreferenced: (key: string) => void = () => undefined,
    /** Output lifecycle (finalizer clean-up); absent: deletion needs no work. */
    private readonly lifecycle?: Pick<OutputLifecycle, 'crDeleting' | 'crGone'>,
  ) {}

  upsert(cr: AzureKeyVaultSecret): void {
    const { namespace, name } = cr.metadata;
    if (cr.metadata.deletionTimestamp) {
      // Being deleted: no reconcile writes it any more; its clean-up (if it has our finalizer) runs on its own key.
      if (this.lifecycle) {
        this.unindex(cr);
        this.lifecycle.crDeleting(cr);
      }
      return;
    }
    const previous = this.index.get(namespace, name);
    const check = validateAkvsSpec(cr.spec);
    const key = check.ok
      ? objectKey(vaultObjectRefOf(check.spec))
      : crKey(namespace, name);
    const indexed = check.ok ? { ...cr, spec: check.spec } : cr;
    const previousKey = this.index.upsert(indexed, key);
    if (previousKey !== undefined && previousKey !== key && !this.index.isReferenced(previousKey)) this.onUnreferenced(previousKey);
    const changed = !previous || previous.metadata.uid !== cr.metadata.uid || previous.metadata.generation !== cr.metadata.generation;
    if (!changed && previousKey === key) return;
    if (check.ok && this.queue.addCr) this.queue.addCr(key, `${namespace}/${name}`);
    else this.queue.add(key);
  }

  remove(cr: AzureKeyVaultSecret): void {
    this.lifecycle?.crGone(cr.metadata.namespace, cr.metadata.name);
    this.unindex(cr);
  }

  private unindex(cr: AzureKeyVaultSecret): void {
    const current = this.index.get(cr.metadata.namespace, cr.metadata.name);
    if (current && current.metadata.uid !== cr.metadata.uid) return;
    const key = this.index.remove(cr.metadata.namespace, cr.metadata.name);
    if (key !== undefined && !this.index.isReferenced(key)) this.onUnreferenced(key);
  }
}
