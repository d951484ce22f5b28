/**
 * One delivery attempt, the same for every path (first push, enqueue for a queue-mode cluster, retry): sign now,
 * with a fresh timestamp, then hand the signed notification to the sink. Never reuse a signature across attempts.
 */
import type { Notification } from '../core/notification/notification.js';
import type { NotificationSigner } from '../core/notification/notification-signer.js';
import type { NotificationSink } from './ports/notification-sink.js';

export interface DeliveryChannel {
  /** A NotificationSigner (the benchmark's unsigned pass hands in a stand-in to measure routing without HMAC). */
  readonly signer: Pick<NotificationSigner, 'sign'>;
  readonly sink: NotificationSink;
}

export function sendNotification(channel: DeliveryChannel, cluster: string, notification: Notification): Promise<void> {
  try {
    return channel.sink.deliver(cluster, channel.signer.sign(cluster, notification));
  } catch (error) {
    return Promise.reject(error);
  }
}
