/**
 * Event times of notifications waiting to be reconciled, per work-queue key, so the sync-latency metric is measured
 * from the Key Vault event to the output written. The earliest pending event time wins (the latency a user saw).
 */
export class SyncHints {
  private readonly eventTimes = new Map<string, number>();

  record(key: string, eventTimeMs: number): void {
    if (!Number.isFinite(eventTimeMs)) return;
    const existing = this.eventTimes.get(key);
    if (existing === undefined || eventTimeMs < existing) this.eventTimes.set(key, eventTimeMs);
  }

  take(key: string): number | undefined {
    const t = this.eventTimes.get(key);
    this.eventTimes.delete(key);
    return t;
  }
}
