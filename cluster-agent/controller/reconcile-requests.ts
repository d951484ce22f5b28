interface Enqueue {
  add(key: string): void;
}

/** What the next reconcile of a vault-object key covers. */
export type ReconcileScope =
  | { readonly full: true }
  /** Only these CRs (namespace/name) changed; the object's value may be reused from the last read. */
  | { readonly full: false; readonly crs: ReadonlySet<string> };

const FULL: ReconcileScope = Object.freeze({ full: true });

/**
 * The way onto the work queue, saying WHY a vault object is queued. A notification, the fallback check or a retry
 * asks for a full reconcile (read Key Vault, converge every CR of the object). A CR created or changed asks only for
 * that CR (the fast path: creating N CRs of one object costs O(N) work and one Key Vault read, not O(N²)). Requests
 * for one key merge while it waits in the queue; a full request swallows the CR ones.
 */
export class ReconcileRequests implements Enqueue {
  private readonly pending = new Map<string, Set<string> | 'full'>();

  constructor(private readonly queue: Enqueue) {}

  /** A full reconcile of the object (notification, fallback check, retry, or anything that does not say). */
  add(key: string): void {
    this.pending.set(key, 'full');
    this.queue.add(key);
  }

  /** Only CR `crId` (namespace/name) of the object changed. */
  addCr(key: string, crId: string): void {
    const current = this.pending.get(key);
    if (current !== 'full') {
      const crs = current ?? new Set<string>();
      crs.add(crId);
      this.pending.set(key, crs);
    }
    this.queue.add(key);
  }

  /** Called by the reconcile that starts on `key`: its scope, and the slate cleared. A key nobody asked about is full. */
  take(key: string): ReconcileScope {
    const current = this.pending.get(key);
    this.pending.delete(key);
    return current === undefined || current === 'full' ? FULL : { full: false, crs: current };
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
