/**
 * One delivery attempt, the same for every path (first push, enqueue for a queue-mode cluster, retry): sign now,
 * with a fresh timestamp, then hand the signed notification to the sink. Never reuse a signature across attempts.
 * When the cluster's key had to be fetched (Key Vault, cache miss), signing waits for it; a cached key signs at once.
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
    const signed = channel.signer.sign(cluster, notification);
    return signed instanceof Promise ? signed.then((s) => channel.sink.deliver(cluster, s)) : channel.sink.deliver(cluster, signed);
  } catch (error) {
    return Promise.reject(error);
  }
}
