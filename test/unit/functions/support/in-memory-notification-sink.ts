import type { Notification } from '../../../../core/notification/notification.js';
import type { NotificationSink } from '../../../../functions/ports/notification-sink.js';

/** Records deliveries; `failWith(cluster, error)` makes deliveries to that cluster throw until cleared. */
export class InMemoryNotificationSink implements NotificationSink {
  readonly delivered: { cluster: string; notification: Notification }[] = [];
  readonly #failures = new Map<string, unknown>();

  failWith(cluster: string, error: unknown): void {
    this.#failures.set(cluster, error);
  }

  recover(cluster: string): void {
    this.#failures.delete(cluster);
  }

  deliver(cluster: string, notification: Notification): Promise<void> {
    if (this.#failures.has(cluster)) return Promise.reject(this.#failures.get(cluster));
    this.delivered.push({ cluster, notification });
    return Promise.resolve();
  }
}
