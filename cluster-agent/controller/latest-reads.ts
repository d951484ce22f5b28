import type { VaultObject } from '../../core/ports/vault-object-store.js';

/**
 * The last read of each vault object's latest version, reused by the CR fast path for `maxAgeMs` instead of reading
 * Key Vault again for every CR created. A full reconcile (notification, fallback check, retry) always reads afresh
 * and replaces it. Held in memory only (like every value the agent handles on its way to the apiserver), dropped
 * with the last CR of the object.
 */
export class LatestReads {
  private readonly reads = new Map<string, { readonly object: VaultObject; readonly at: number }>();

  constructor(private readonly maxAgeMs = 60_000) {}

  record(key: string, object: VaultObject, now: number): void {
    this.reads.set(key, { object, at: now });
  }

  /** The cached latest version, if read less than maxAgeMs ago. */
  fresh(key: string, now: number): VaultObject | undefined {
    const entry = this.reads.get(key);
    return entry !== undefined && now - entry.at < this.maxAgeMs ? entry.object : undefined;
  }

  forget(key: string): void {
    this.reads.delete(key);
  }

  get size(): number {
    return this.reads.size;
  }
}
