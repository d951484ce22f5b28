/**
 * Delivers events to subscriber URLs the way Event Grid does: a JSON array POSTed with
 * `aeg-event-type: Notification`, asynchronously, retried with exponential backoff on a non-2xx answer or a
 * network failure. Never throws into the caller. Every delivery is logged (newest 10,000) so tests can await
 * and inspect them; `dropEvents(true)` loses events on purpose (logged as `dropped`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventGridEvent } from './event-grid-event.js';
import { type PostJson, checkLoopbackUrl } from './http-post.js';

export type DeliveryOutcome = 'pending' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryRecord {
  readonly url: string;
  readonly event: EventGridEvent;
  readonly outcome: DeliveryOutcome;
  readonly attempts: number;
  readonly lastStatus: number | undefined;
  readonly lastError: string | undefined;
}

export interface EventPublisherOptions {
  readonly post: PostJson;
  /** Attempts per subscriber and event (default 4). */
  readonly attempts?: number;
  /** First retry delay; doubles each time (default 200 ms). */
  readonly baseDelayMs?: number;
}

type MutableRecord = { -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K] };

const LOG_LIMIT = 10_000;

export class EventPublisher {
  private readonly urls = new Set<string>();
  private readonly log: MutableRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private dropping = false;

  constructor(private readonly options: EventPublisherOptions) {}

  subscribe(url: string): void {
    this.urls.add(checkLoopbackUrl(url).toString());
  }

  unsubscribe(url: string): void {
    this.urls.delete(new URL(url).toString());
  }

  subscribers(): string[] {
    return [...this.urls];
  }

  dropEvents(drop: boolean): void {
    this.dropping = drop;
  }

  /** Starts delivering `event` to every subscriber and returns at once. */
  publish(event: EventGridEvent): void {
    for (const url of this.urls) {
      const record: MutableRecord = { url, event, outcome: this.dropping ? 'dropped' : 'pending', attempts: 0, lastStatus: undefined, lastError: undefined };
      this.log.push(record);
      if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
      if (record.outcome === 'dropped') continue;
      const delivery = this.deliver(record).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  deliveries(): readonly DeliveryRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  /** Resolves when every delivery started so far (and any started meanwhile) has finished. */
  async waitForDeliveries(): Promise<readonly DeliveryRecord[]> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return this.deliveries();
  }

  /** Abandons retries and in-flight requests (their records end `failed`). */
  async close(): Promise<void> {
    this.stop.abort();
    await this.waitForDeliveries();
  }

  private async deliver(record: MutableRecord): Promise<void> {
    const attempts = this.options.attempts ?? 4;
    const body = JSON.stringify([record.event]);
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      record.attempts = attempt;
      try {
        record.lastStatus = await this.options.post(record.url, body, headers(attempt), this.stop.signal);
        record.lastError = undefined;
        if (record.lastStatus >= 200 && record.lastStatus < 300) {
          record.outcome = 'delivered';
          return;
        }
      } catch (error) {
        record.lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt < attempts && !(await this.backoff(attempt))) break;
    }
    record.outcome = 'failed';
  }

  /** False when the publisher was closed while waiting. */
  private async backoff(attempt: number): Promise<boolean> {
    if (this.stop.signal.aborted) return false;
    try {
      await sleep((this.options.baseDelayMs ?? 200) * 2 ** (attempt - 1), undefined, { signal: this.stop.signal });
      return true;
    } catch {
      return false;
    }
  }
}

function headers(attempt: number): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'aeg-event-type': 'Notification',
    'aeg-subscription-name': 'AKVSYNC-KV-EMULATOR',
    'aeg-data-version': '1',
    'aeg-metadata-version': '1',
    'aeg-delivery-count': String(attempt - 1),
  };
}
