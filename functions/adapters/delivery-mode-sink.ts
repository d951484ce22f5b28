/** Hands each signed notification to the sink of its cluster's delivery mode (push or queue). */
import { TerminalError } from '../../core/errors.js';
import type { SignedNotification } from '../../core/notification/notification.js';
import type { DeliveryMode } from '../cluster-config.js';
import type { NotificationSink } from '../ports/notification-sink.js';

export class DeliveryModeSink implements NotificationSink {
  readonly #modes: ReadonlyMap<string, DeliveryMode>;
  readonly #sinks: Readonly<Partial<Record<DeliveryMode, NotificationSink>>>;

  constructor(modes: ReadonlyMap<string, DeliveryMode>, sinks: Readonly<Partial<Record<DeliveryMode, NotificationSink>>>) {
    this.#modes = modes;
    this.#sinks = sinks;
  }

  deliver(cluster: string, signed: SignedNotification): Promise<void> {
    const mode = this.#modes.get(cluster);
    const sink = mode && this.#sinks[mode];
    if (!sink) return Promise.reject(new TerminalError('UnknownCluster', `cluster "${cluster}" has no ${mode ?? ''} delivery configured`.replace('  ', ' ')));
    return sink.deliver(cluster, signed);
  }
}
