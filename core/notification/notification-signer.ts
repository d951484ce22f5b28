import type { Clock } from '../ports/clock.js';
import { TerminalError } from '../errors.js';
import { notificationBody } from './notification-body.js';
import type { Notification, SignedNotification } from './notification.js';
import { signNotification, type SigningKey } from './signature.js';

/** The current signing key of a cluster, or undefined when none is configured. */
export type SigningKeyLookup = (cluster: string) => SigningKey | undefined;

/**
 * The one signing step every delivery path shares (push, queue, retry): it signs with the cluster's current key and
 * the clock's time *now*. Call it once per attempt, right before the attempt: a retried push signed with the first
 * attempt's timestamp would be refused as stale after PUSH_TIMESTAMP_WINDOW_SECONDS (docs/adr/0001-notification-protocol.md).
 */
export class NotificationSigner {
  readonly #keyFor: SigningKeyLookup;
  readonly #clock: Clock;

  constructor(keyFor: SigningKeyLookup, clock: Clock) {
    this.#keyFor = keyFor;
    this.#clock = clock;
  }

  sign(cluster: string, notification: Notification): SignedNotification {
    return this.signBody(cluster, notificationBody(notification));
  }

  /** Signs an already serialised body, byte for byte (conformance vectors; normal callers use sign()). */
  signBody(cluster: string, body: string): SignedNotification {
    const key = this.#keyFor(cluster);
    if (!key) throw new TerminalError('UnknownCluster', `no signing key is configured for cluster "${cluster}"`);
    return signNotification(key, Math.floor(this.#clock.now() / 1000), body);
  }
}
