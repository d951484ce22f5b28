/**
 * The RetryQueue over Storage Queues: one retry queue per cluster (so a dead cluster's backlog never delays another
 * cluster's retries) and its `<queue>-poison`, the same poison queue the platform uses when the retry trigger itself
 * keeps failing. Messages never expire (a TTL of -1): a notification waits however long the retry budget says.
 * Queues are created on first use.
 */
import { poisonQueueName, retryQueueName } from '../cluster-queues.js';
import { encodePushRetry, type PushRetry } from '../push-retry-message.js';
import type { RetryQueue } from '../ports/retry-queue.js';
import type { StorageClients } from '../storage-clients.js';
import type { QueueClient } from '@azure/storage-queue';
import { CreatedQueues } from './created-queues.js';

export class StorageRetryQueue implements RetryQueue {
  readonly #queues: CreatedQueues;
  readonly #queueFor: (cluster: string) => string;

  /** `queueFor`: the retry queue of a cluster (default: its own, retryQueueName). */
  constructor(storage: StorageClients, queueFor: (cluster: string) => string = retryQueueName) {
    this.#queues = new CreatedQueues(storage);
    this.#queueFor = queueFor;
  }

  async schedule(retry: PushRetry, delaySeconds: number): Promise<void> {
    const queue = await this.#queue(this.#queueFor(retry.cluster));
    await queue.sendMessage(encodePushRetry(retry), { visibilityTimeout: delaySeconds, messageTimeToLive: -1 });
  }

  async poison(retry: PushRetry, reason: string): Promise<void> {
    const queue = await this.#queue(poisonQueueName(this.#queueFor(retry.cluster)));
    await queue.sendMessage(encodePushRetry({ ...retry, lastError: reason }), { messageTimeToLive: -1 });
  }

  /** Stores text that is not a retry message as it came (for an operator to read), in `queue`'s poison queue. */
  async poisonRaw(queueName: string, text: string): Promise<void> {
    const queue = await this.#queue(poisonQueueName(queueName));
    await queue.sendMessage(Buffer.from(text.slice(0, 48 * 1024), 'utf8').toString('base64'), { messageTimeToLive: -1 });
  }

  #queue(name: string): Promise<QueueClient> {
    return this.#queues.get(name);
  }
}
