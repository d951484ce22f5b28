/**
 * Dedupe marks in this instance's memory: least-recently-used eviction past `maxEntries`, and marks expire after
 * `ttlMs` (default 24 h, as long as Event Grid keeps retrying). Several Function instances do not share it, so a
 * redelivery that lands on another instance is pushed again; the agent deduplicates by event id as well.
 */
import type { Clock } from '../../core/ports/clock.js';
import type { DedupeStore } from '../ports/dedupe-store.js';

export interface InMemoryDedupeStoreOptions {
  readonly clock: Clock;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

export const DEFAULT_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_DEDUPE_MAX_ENTRIES = 100_000;

export class InMemoryDedupeStore implements DedupeStore {
  /** key → expiry (epoch ms); Map order is the recency order, oldest first. */
  readonly #marks = new Map<string, number>();
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(options: InMemoryDedupeStoreOptions) {
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES;
    if (!(this.#ttlMs > 0) || !Number.isSafeInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError('InMemoryDedupeStore: ttlMs must be positive and maxEntries a positive integer');
    }
  }

  has(key: string): Promise<boolean> {
    const expires = this.#marks.get(key);
    if (expires === undefined) return Promise.resolve(false);
    this.#marks.delete(key);
    if (expires <= this.#clock.now()) return Promise.resolve(false);
    this.#marks.set(key, expires);
    return Promise.resolve(true);
  }

  mark(key: string): Promise<void> {
    this.#marks.delete(key);
    this.#marks.set(key, this.#clock.now() + this.#ttlMs);
    for (const oldest of this.#marks.keys()) {
      if (this.#marks.size <= this.#maxEntries) break;
      this.#marks.delete(oldest);
    }
    return Promise.resolve();
  }

  get size(): number {
    return this.#marks.size;
  }
}
