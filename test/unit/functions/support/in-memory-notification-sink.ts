import type { Notification, SignedNotification } from '../../../../core/notification/notification.js';
import { parseNotificationBody } from '../../../../core/notification/parse-notification.js';
import type { NotificationSink } from '../../../../functions/ports/notification-sink.js';

/**
 * Records deliveries (the signed notification and its parsed body); `failWith(cluster, error)` makes deliveries to
 * that cluster throw until cleared.
 */
export class InMemoryNotificationSink implements NotificationSink {
  readonly delivered: { cluster: string; notification: Notification; signed: SignedNotification }[] = [];
  readonly #failures = new Map<string, unknown>();

  failWith(cluster: string, error: unknown): void {
    this.#failures.set(cluster, error);
  }

  recover(cluster: string): void {
    this.#failures.delete(cluster);
  }

  deliver(cluster: string, signed: SignedNotification): Promise<void> {
    if (this.#failures.has(cluster)) return Promise.reject(this.#failures.get(cluster));
    this.delivered.push({ cluster, notification: parseNotificationBody(signed.body), signed });
    return Promise.resolve();
  }
}
