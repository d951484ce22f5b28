import type { RetryQueue } from '../../../../functions/ports/retry-queue.js';
import type { PushRetry } from '../../../../functions/push-retry-message.js';

/** Records scheduled and poisoned retries; `failWith(error)` makes storing fail. */
export class InMemoryRetryQueue implements RetryQueue {
  readonly scheduled: { retry: PushRetry; delaySeconds: number }[] = [];
  readonly poisoned: { retry: PushRetry; reason: string }[] = [];
  failure: unknown;

  schedule(retry: PushRetry, delaySeconds: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.scheduled.push({ retry, delaySeconds });
    return Promise.resolve();
  }

  poison(retry: PushRetry, reason: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.poisoned.push({ retry, reason });
    return Promise.resolve();
  }
}
