import type { PushRetry } from '../push-retry-message.js';

/**
 * Where failed pushes wait (per cluster, Storage Queues in Azure: functions/adapters/storage-retry-queue.ts). Both
 * resolve once the message is durably stored; a rejection means it is not, and the caller must not acknowledge.
 */
export interface RetryQueue {
  /** Stores the retry, invisible for `delaySeconds`; the cluster's retry trigger picks it up then. */
  schedule(retry: PushRetry, delaySeconds: number): Promise<void>;
  /** Gives up on it: the cluster's poison queue, with the reason. */
  poison(retry: PushRetry, reason: string): Promise<void>;
}
