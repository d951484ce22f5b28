import type { Clock } from '../../core/ports/clock.js';

/**
 * Event ids already accepted, bounded in count and age (an LRU with a TTL), so a replayed or retried push is answered
 * 200 "duplicate" and changes nothing. Only verified notifications are recorded, so forged ones cannot fill it.
 */
export class SeenEvents {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 100_000,
    private readonly ttlMs = 24 * 3600_000,
  ) {}

  has(eventId: string): boolean {
    const at = this.seen.get(eventId);
    if (at === undefined) return false;
    if (this.clock.now() - at > this.ttlMs) {
      this.seen.delete(eventId);
      return false;
    }
    return true;
  }

  add(eventId: string): void {
    this.seen.delete(eventId);
    this.seen.set(eventId, this.clock.now());
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
  }

  get size(): number {
    return this.seen.size;
  }
}
