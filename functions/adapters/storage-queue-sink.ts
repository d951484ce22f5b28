/**
 * Queue delivery, for clusters with no inbound access: the signed notification, as ADR 0001's queue envelope
 * (`encodeQueueMessage`), goes on the cluster's own Storage Queue, which its agent drains with its own identity.
 * Resolves once the message is stored (that is "delivered" for the dedupe mark); a failure is a TransientError, so
 * Event Grid retries the event. Messages never expire (TTL -1): a cluster that is down for days still gets them.
 * A queue normally exists already (registration creates it), so a send is one request, on a cold instance too; a
 * queue that is missing (a configured cluster's first message) is created when the send answers 404, then sent again.
 */
import { TerminalError, TransientError } from '../../core/errors.js';
import type { SignedNotification } from '../../core/notification/notification.js';
import { encodeQueueMessage } from '../../core/notification/queue-envelope.js';
import type { NotificationSink } from '../ports/notification-sink.js';
import type { StorageClients } from '../storage-clients.js';

export class StorageQueueSink implements NotificationSink {
  readonly #queues: ReadonlyMap<string, string>;
  readonly #storage: StorageClients;

  /** `queues`: cluster name → its queue name. */
  constructor(storage: StorageClients, queues: ReadonlyMap<string, string>) {
    this.#storage = storage;
    this.#queues = queues;
  }

  async deliver(cluster: string, signed: SignedNotification): Promise<void> {
    const name = this.#queues.get(cluster);
    if (name === undefined) throw new TerminalError('UnknownCluster', `no delivery queue is configured for cluster "${cluster}"`);
    await this.deliverTo(name, cluster, signed);
  }

  /** Enqueues on a queue known only now (a registered cluster's). */
  async deliverTo(name: string, cluster: string, signed: SignedNotification): Promise<void> {
    const queue = this.#storage.queue(name);
    const send = () => queue.sendMessage(encodeQueueMessage(signed), { messageTimeToLive: -1 });
    try {
      await send().catch(async (error: unknown) => {
        if ((error as { statusCode?: unknown }).statusCode !== 404) throw error;
        await queue.createIfNotExists();
        await send();
      });
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      throw new TransientError('QueueUnavailable', `enqueue for cluster "${cluster}" on queue "${name}" failed: ${typeof status === 'number' ? `HTTP ${status}` : error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
