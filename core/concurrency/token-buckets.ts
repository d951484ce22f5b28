/**
 * One token bucket per key (pure: the caller gives the time). Each bucket holds up to `capacity` tokens and gains one
 * every `refillMs`; a key never seen is full. Used to rate-limit work per object, e.g. repairs of one output that
 * somebody keeps editing, so an edit loop costs a bounded number of repairs.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly refillMs: number,
  ) {
    if (!(capacity >= 1) || !(refillMs > 0)) throw new RangeError('capacity must be at least 1 and refillMs positive');
  }

  /** Takes a token of `key` at `now`: returns 0 when one was there, else the milliseconds until the next one (nothing taken). */
  take(key: string, now: number): number {
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      this.buckets.set(key, { tokens: bucket.tokens - 1, at: now });
      return 0;
    }
    this.buckets.set(key, bucket);
    return Math.max(1, Math.ceil((1 - bucket.tokens) * this.refillMs));
  }

  /** Forgets the buckets that are full again (the same as never seen), so the map holds only keys in use. */
  sweep(now: number): void {
    for (const key of [...this.buckets.keys()]) {
      if (this.refilled(key, now).tokens >= this.capacity) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.capacity, at: now };
    const gained = Math.max(0, now - bucket.at) / this.refillMs;
    return { tokens: Math.min(this.capacity, bucket.tokens + gained), at: now };
  }
}
