/**
 * Queue delivery, for clusters with no inbound access: the signed notification, as ADR 0001's queue envelope
 * (`encodeQueueMessage`), goes on the cluster's own Storage Queue, which its agent drains with its own identity.
 * Resolves once the message is stored (that is "delivered" for the dedupe mark); a failure is a TransientError, so
 * Event Grid retries the event. Messages never expire (TTL -1): a cluster that is down for days still gets them.
 * Each queue is created on first use.
 */
import type { QueueClient } from '@azure/storage-queue';
import { TerminalError, TransientError } from '../../core/errors.js';
import type { SignedNotification } from '../../core/notification/notification.js';
import { encodeQueueMessage } from '../../core/notification/queue-envelope.js';
import type { NotificationSink } from '../ports/notification-sink.js';
import type { StorageClients } from '../storage-clients.js';
import { CreatedQueues } from './created-queues.js';

export class StorageQueueSink implements NotificationSink {
  readonly #queues: ReadonlyMap<string, string>;
  readonly #created: CreatedQueues;

  /** `queues`: cluster name → its queue name. */
  constructor(storage: StorageClients, queues: ReadonlyMap<string, string>) {
    this.#created = new CreatedQueues(storage);
    this.#queues = queues;
  }

  async deliver(cluster: string, signed: SignedNotification): Promise<void> {
    const name = this.#queues.get(cluster);
    if (name === undefined) throw new TerminalError('UnknownCluster', `no delivery queue is configured for cluster "${cluster}"`);
    await this.deliverTo(name, cluster, signed);
  }

  /** Enqueues on a queue known only now (a registered cluster's). */
  async deliverTo(name: string, cluster: string, signed: SignedNotification): Promise<void> {
    try {
      const queue = await this.#queue(name);
      await queue.sendMessage(encodeQueueMessage(signed), { messageTimeToLive: -1 });
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      throw new TransientError('QueueUnavailable', `enqueue for cluster "${cluster}" on queue "${name}" failed: ${typeof status === 'number' ? `HTTP ${status}` : error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  #queue(name: string): Promise<QueueClient> {
    return this.#created.get(name);
  }
}
