import type { Clock } from '../ports/clock.js';
import { TerminalError } from '../errors.js';
import { notificationBody } from './notification-body.js';
import type { Notification, SignedNotification } from './notification.js';
import { signNotification, type SigningKey } from './signature.js';

/**
 * The current signing key of a cluster, or undefined when it has none. A lookup that must fetch the key (Key Vault)
 * returns a promise; one that holds it (configuration, a warm cache) returns it directly, and signing stays synchronous.
 */
export type SigningKeyLookup = (cluster: string) => SigningKey | undefined | Promise<SigningKey | undefined>;

/**
 * The one signing step every delivery path shares (push, queue, retry): it signs with the cluster's current key and
 * the clock's time *now* (after the key arrived, when it had to be fetched). Call it once per attempt, right before the
 * attempt: a retried push signed with the first attempt's timestamp would be refused as stale after
 * PUSH_TIMESTAMP_WINDOW_SECONDS (docs/adr/0001-notification-protocol.md). It answers synchronously when the lookup
 * did, so a cache hit costs no promise.
 */
export class NotificationSigner {
  readonly #keyFor: SigningKeyLookup;
  readonly #clock: Clock;

  constructor(keyFor: SigningKeyLookup, clock: Clock) {
    this.#keyFor = keyFor;
    this.#clock = clock;
  }

  sign(cluster: string, notification: Notification): SignedNotification | Promise<SignedNotification> {
    return this.signBody(cluster, notificationBody(notification));
  }

  /** Signs an already serialised body, byte for byte (conformance vectors; normal callers use sign()). */
  signBody(cluster: string, body: string): SignedNotification | Promise<SignedNotification> {
    const key = this.#keyFor(cluster);
    return key instanceof Promise ? key.then((k) => this.#signNow(cluster, k, body)) : this.#signNow(cluster, key, body);
  }

  #signNow(cluster: string, key: SigningKey | undefined, body: string): SignedNotification {
    if (!key) throw new TerminalError('UnknownCluster', `no signing key is configured for cluster "${cluster}"`);
    return signNotification(key, Math.floor(this.#clock.now() / 1000), body);
  }
}
