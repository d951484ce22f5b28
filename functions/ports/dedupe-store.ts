/**
 * Remembers which deliveries succeeded, keyed by core/routing's dedupeKey (cluster, vault object, version, kind),
 * so an event Event Grid delivers again is not pushed again. Adapters: InMemoryDedupeStore (one instance's memory,
 * today); Azure Table Storage with the fleet registry. A mark is written only after its delivery succeeded.
 */
export interface DedupeStore {
  /** True when `key` was marked and the mark has not expired. */
  has(key: string): Promise<boolean>;
  mark(key: string): Promise<void>;
}
