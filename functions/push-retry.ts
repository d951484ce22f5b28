/**
 * The retry trigger of one push cluster: a Storage Queue trigger on the cluster's retry queue, registered per push
 * cluster when AKVSYNC_STORAGE is set. Each message is one push waiting for its next attempt: skipped when the
 * dedupe store says it was delivered meanwhile, else signed afresh and pushed; a failure is queued again with a
 * longer delay or poisoned (retry-failed-push.ts). The handler returns normally once the outcome is stored, so the
 * platform deletes the message; it throws only when storing failed, and the platform then redelivers the message
 * (to `<queue>-poison` after maxDequeueCount). A message that is not a retry message is poisoned as it came.
 */
import { app, type InvocationContext } from '@azure/functions';
import { REGISTERED_RETRY_QUEUE, retryFunctionName, retryQueueName } from './cluster-queues.js';
import { STORAGE_SETTING } from './config.js';
import { errorCode } from './delivery-disposition.js';
import { invocationLogger } from './adapters/invocation-logger.js';
import type { Logger } from './ports/logger.js';
import { decodePushRetry } from './push-retry-message.js';
import { retryFailedPush } from './retry-failed-push.js';
import type { RouteDependencies } from './route-key-vault-events.js';
import type { FunctionRuntime } from './runtime.js';
import { sendNotification } from './send-notification.js';

export type PushRetryOutcome = 'delivered' | 'duplicate' | 'retry-queued' | 'poisoned' | 'malformed';

export interface PushRetryDependencies extends Omit<RouteDependencies, 'retry'> {
  readonly retry: NonNullable<RouteDependencies['retry']>;
  /** Keeps a message that is not a retry message, as it came, in the queue's poison queue. */
  poisonMalformed(text: string): Promise<void>;
}

export async function handlePushRetry(message: unknown, deps: PushRetryDependencies): Promise<PushRetryOutcome> {
  let retry;
  try {
    retry = decodePushRetry(message);
  } catch (error) {
    await deps.poisonMalformed(typeof message === 'string' ? message : JSON.stringify(message) ?? '');
    deps.telemetry.alert('akvsync.delivery.poisoned', { code: errorCode(error) });
    deps.log.error('retry message is malformed: moved to the poison queue', { code: errorCode(error), error: error instanceof Error ? error.message : String(error) });
    return 'malformed';
  }
  const { cluster, notification: n } = retry;
  const fields = { cluster, eventId: n.eventId, vault: n.vault, objectName: n.objectName, version: n.version, attempts: retry.attempts + 1 };
  if (await deps.dedupe.has(retry.dedupeKey)) {
    deps.log.info('retry skipped: delivered meanwhile', fields);
    deps.telemetry.count('duplicate', 1, { cluster, reason: 'retry-after-delivery' });
    return 'duplicate';
  }
  try {
    await sendNotification(deps, cluster, n);
  } catch (error) {
    deps.telemetry.count('failed', 1, { cluster, code: errorCode(error), disposition: 'retry-path' });
    return retryFailedPush({ ...retry, attempts: retry.attempts + 1 }, error, deps);
  }
  await deps.dedupe.mark(retry.dedupeKey);
  deps.telemetry.count('delivered', 1, { cluster, eventType: n.eventType });
  const latencyMs = deps.clock.now() - Date.parse(n.eventTime);
  if (Number.isFinite(latencyMs)) deps.telemetry.deliveryLatency(Math.max(0, latencyMs), { cluster, eventType: n.eventType });
  deps.log.info('notification delivered on retry', fields);
  return 'delivered';
}

/** `queueName`: the retry queue the trigger drains (its malformed messages go to that queue's poison queue). */
export function pushRetryHandler(runtime: () => Promise<FunctionRuntime>, queueName: string) {
  return async function pushRetry(message: unknown, context: InvocationContext): Promise<void> {
    const { routing, retryQueue } = await runtime();
    if (!routing.retry || !retryQueue) throw new Error('push retry trigger without a retry path (AKVSYNC_STORAGE is not set)');
    const log: Logger = invocationLogger(context);
    await handlePushRetry(message, { ...routing, retry: routing.retry, log, poisonMalformed: (text) => retryQueue.poisonRaw(queueName, text) });
  };
}

/** One queue trigger per push cluster, on its own retry queue (a dead cluster's backlog never delays another's). */
export function registerPushRetries(runtime: () => Promise<FunctionRuntime>, pushClusters: readonly string[]): void {
  for (const cluster of pushClusters) {
    app.storageQueue(retryFunctionName(cluster), { queueName: retryQueueName(cluster), connection: STORAGE_SETTING, handler: pushRetryHandler(runtime, retryQueueName(cluster)) });
  }
}

/** The one retry trigger of all registered clusters (they register after the app started: see REGISTERED_RETRY_QUEUE). */
export function registerRegisteredPushRetries(runtime: () => Promise<FunctionRuntime>): void {
  app.storageQueue('pushRetry-registered', { queueName: REGISTERED_RETRY_QUEUE, connection: STORAGE_SETTING, handler: pushRetryHandler(runtime, REGISTERED_RETRY_QUEUE) });
}
