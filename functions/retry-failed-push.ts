/**
 * What happens after a push attempt failed, when the retry path exists (AKVSYNC_STORAGE set; ADR 0001 "retry path"):
 * a failure worth retrying goes back to the cluster's retry queue with exponential backoff until the budget
 * (maxAttempts) is spent; then, or at once for a refusal, to the poison queue with an `akvsync.delivery.poisoned`
 * alert. A 401 unknown-key/stale-timestamp also raises `akvsync.delivery.operatorAction` on every failed attempt.
 * Resolves once the outcome is durably stored; rejects when it is not (the caller must not acknowledge then).
 */
import type { RetryPolicy } from './config.js';
import { dispositionOf, errorCode, needsOperator } from './delivery-disposition.js';
import type { Logger } from './ports/logger.js';
import type { RetryQueue } from './ports/retry-queue.js';
import type { Telemetry } from './ports/telemetry.js';
import type { PushRetry } from './push-retry-message.js';
import { retryDelaySeconds } from './retry-policy.js';

export interface RetryPath {
  readonly queue: RetryQueue;
  readonly policy: RetryPolicy;
  /** Push clusters only: a queue-mode cluster's failed enqueue is retried by Event Grid. */
  appliesTo(cluster: string): boolean;
  /** 0..1, for the backoff's jitter (Math.random in production). */
  readonly jitter: () => number;
}

export interface RetryOutcomeDependencies {
  readonly retry: RetryPath;
  readonly telemetry: Telemetry;
  readonly log: Logger;
}

export type RetryOutcome = 'retry-queued' | 'poisoned';

/** `retry.attempts` counts the attempt that just failed. */
export async function retryFailedPush(retry: PushRetry, error: unknown, deps: RetryOutcomeDependencies): Promise<RetryOutcome> {
  const code = errorCode(error);
  const n = retry.notification;
  const fields = { cluster: retry.cluster, eventId: n.eventId, vault: n.vault, objectName: n.objectName, version: n.version, attempts: retry.attempts, code };
  const failed: PushRetry = { ...retry, lastError: code };
  if (needsOperator(error) && dispositionOf(error) === 'retry') {
    deps.telemetry.alert('akvsync.delivery.operatorAction', { cluster: retry.cluster, code, eventId: n.eventId });
  }
  if (dispositionOf(error) === 'retry' && retry.attempts < deps.retry.policy.maxAttempts) {
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
    const delay = retryDelaySeconds(deps.retry.policy, retry.attempts, retryAfterMs, deps.retry.jitter());
    await deps.retry.queue.schedule(failed, delay);
    deps.telemetry.count('retryQueued', 1, { cluster: retry.cluster, code });
    deps.log.warn('push failed, queued for retry', { ...fields, delaySeconds: delay });
    return 'retry-queued';
  }
  const reason = dispositionOf(error) === 'retry' ? `gave up after ${retry.attempts} attempts: ${code}` : `refused: ${code}`;
  await deps.retry.queue.poison(failed, reason);
  deps.telemetry.count('poisoned', 1, { cluster: retry.cluster, code });
  deps.telemetry.alert('akvsync.delivery.poisoned', { cluster: retry.cluster, code, eventId: n.eventId, attempts: String(retry.attempts) });
  deps.log.error('notification moved to the poison queue', { ...fields, reason });
  return 'poisoned';
}
