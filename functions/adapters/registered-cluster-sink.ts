/**
 * Delivery to clusters from the registry, in front of the sink of the configured ones: a configured cluster goes to
 * `configured`; a registered one is looked up (one point read) and gets its queue, or its push endpoint. A registered
 * push cluster that is stale (no heartbeat for AKVSYNC_REGISTRY_STALE_MINUTES) is not pushed to: the attempt fails
 * with a TransientError, so the notification waits in the retry path until the cluster heartbeats again (or is
 * poisoned after the retry budget) — never dropped. Its queue, in queue mode, keeps receiving whatever its state.
 */
import { TerminalError, TransientError } from '../../core/errors.js';
import type { SignedNotification } from '../../core/notification/notification.js';
import type { Clock } from '../../core/ports/clock.js';
import type { NotificationSink } from '../ports/notification-sink.js';
import type { HttpsNotificationSink } from './https-notification-sink.js';
import type { StorageQueueSink } from './storage-queue-sink.js';
import type { TableClusterRegistry } from './table-cluster-registry.js';

export interface RegisteredClusterSinkOptions {
  readonly configured: NotificationSink;
  /** Names of the configured (AKVSYNC_CLUSTERS) clusters. */
  readonly configuredNames: ReadonlySet<string>;
  readonly registry: Pick<TableClusterRegistry, 'cluster'>;
  readonly push: Pick<HttpsNotificationSink, 'deliverTo'>;
  readonly queue: Pick<StorageQueueSink, 'deliverTo'>;
  readonly clock: Clock;
}

export class RegisteredClusterSink implements NotificationSink {
  readonly #o: RegisteredClusterSinkOptions;

  constructor(options: RegisteredClusterSinkOptions) {
    this.#o = options;
  }

  async deliver(cluster: string, signed: SignedNotification): Promise<void> {
    if (this.#o.configuredNames.has(cluster)) return this.#o.configured.deliver(cluster, signed);
    const registered = await this.#o.registry.cluster(cluster, this.#o.clock.now());
    if (!registered) throw new TerminalError('UnknownCluster', `cluster "${cluster}" is neither configured nor registered`);
    if (registered.delivery === 'queue') return this.#o.queue.deliverTo(registered.queueName, cluster, signed);
    if (registered.stale) {
      throw new TransientError('ClusterStale', `cluster "${cluster}" has not heartbeaten since ${new Date(registered.lastHeartbeatMs).toISOString()}: push paused, kept for retry`);
    }
    if (!registered.endpoint) throw new TerminalError('UnknownCluster', `registered push cluster "${cluster}" has no endpoint`);
    return this.#o.push.deliverTo({ name: cluster, pushUrl: registered.endpoint, caPem: registered.caPem }, signed);
  }
}
