import type { Logger } from 'pino';
import { isAkvsyncError } from '../../core/errors.js';
import type { Notification, SignedNotification } from '../../core/notification/notification.js';
import { parseNotificationBody } from '../../core/notification/parse-notification.js';
import type { Clock } from '../../core/ports/clock.js';
import type { AgentEvents } from '../agent-events.js';
import type { AgentMetrics } from '../metrics.js';
import { SampledLog } from './sampled-log.js';
import type { SeenEvents } from './seen-events.js';
import { verifyReceivedNotification } from './verify-notification.js';

/** `push`: an HTTPS POST (the ±300 s timestamp window applies). `queue`: a Storage Queue message (no window). */
export type IntakeMode = 'push' | 'queue';

/** What became of one notification. Transports map it; they never decide anything else. */
export type IntakeOutcome =
  | { readonly outcome: 'accepted' }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'not-ready' }
  | { readonly outcome: 'unauthorized'; readonly reason: string }
  | { readonly outcome: 'malformed'; readonly field?: string };

/** Refusals a transport makes before the intake sees anything (counted and logged here all the same). */
export type TransportRefusal =
  | { readonly outcome: 'not-ready' }
  | { readonly outcome: 'too-large' }
  | { readonly outcome: 'unsupported-media-type' }
  | { readonly outcome: 'malformed' }
  | { readonly outcome: 'unauthorized'; readonly reason: 'unknown-key' | 'malformed-signature' };

export interface NotificationIntakeOptions {
  readonly keyring: ReadonlyMap<string, Uint8Array>;
  readonly clock: Clock;
  readonly seen: SeenEvents;
  /** False until the CR informer has synced: the sender must try again later. */
  readonly isReady: () => boolean;
  /** Puts the notification's object on the work queue (synchronously: nothing slow on the intake path). */
  readonly accept: (n: Notification) => void;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics | undefined;
  readonly events?: AgentEvents | undefined;
}

/**
 * Notification intake, independent of transport: verify → parse → seen-events → enqueue, in this one place
 * (docs/adr/0001-notification-protocol.md). Every transport is a thin adapter over `receive`:
 *
 * CONTRACT for a transport adapter (the HTTPS route `http/notify-route.ts`; a Storage Queue consumer beside this file):
 * - Hand over the signed notification exactly as it travelled: the RAW body string (never re-serialised), key id,
 *   timestamp (unix seconds) and signature — from headers (push) or from `decodeQueueMessage` (queue). An envelope
 *   the transport cannot read at all is reported with `refused({ outcome: 'malformed' })`.
 * - Pass the mode: `push` enforces the ±300 s window; `queue` does not (the queue itself authenticates the writer, and
 *   a message may wait there). Duplicates are caught by event id in both modes.
 * - Map the outcome and nothing else: `accepted`/`duplicate` → done (HTTP 202/200; queue: delete the message);
 *   `malformed`/`unauthorized` → permanent (HTTP 400/401; queue: delete it, it is counted and logged here);
 *   `not-ready` → try again later (HTTP 503 + Retry-After; queue: leave the message for its visibility timeout).
 * - `receive` is synchronous, never throws for bad input, and never logs a body.
 * Metrics (`akvsync_notifications_total{outcome}`) and the refused-notification log line (sampled: 10 per outcome per
 * minute) are written here, so every transport counts alike.
 */
export class NotificationIntake {
  /** Refusals are caused by whoever reaches the port: their log lines are sampled (every one is counted). */
  private readonly refusalLog: SampledLog;
  private keyring: ReadonlyMap<string, Uint8Array>;

  constructor(private readonly options: NotificationIntakeOptions) {
    this.refusalLog = new SampledLog(options.clock);
    this.keyring = options.keyring;
  }

  /** The keyring in use (the registration client signs with it too). */
  currentKeyring(): ReadonlyMap<string, Uint8Array> {
    return this.keyring;
  }

  /** Replaces the keyring (a rotated keyring file); notifications after this verify against the new one only. */
  setKeyring(keyring: ReadonlyMap<string, Uint8Array>): void {
    this.keyring = keyring;
  }

  /** Whether `receive` can take a notification now (the CR informers have listed). */
  get ready(): boolean {
    return this.options.isReady();
  }

  receive(signed: SignedNotification, mode: IntakeMode): IntakeOutcome {
    const { clock, seen, logger, events } = this.options;
    if (!this.options.isReady()) return this.report({ outcome: 'not-ready' });
    const checked = this.check(signed, mode);
    if ('outcome' in checked) return checked;
    const { notification, keyId } = checked;
    if (seen.has(notification.eventId)) return this.report({ outcome: 'duplicate' });
    const receivedAt = clock.now();
    this.options.accept(notification);
    seen.add(notification.eventId);
    const { eventId, vault, objectName, version, eventType } = notification;
    logger.info({ eventId, vault, objectName, version, eventType, keyId }, 'notification accepted');
    events?.emit('notification-verified', { eventId, vault, objectName, version, receivedAt });
    return this.report({ outcome: 'accepted' });
  }

  /**
   * Verify and parse only (refusals counted and logged), recording and enqueuing nothing: what a replica that does not
   * lead checks before it hands the notification, byte for byte, to the leader (docs/adr/0003-…).
   */
  check(signed: SignedNotification, mode: IntakeMode): { readonly notification: Notification; readonly keyId: string } | IntakeOutcome {
    const check = verifyReceivedNotification(this.keyring, signed, Math.floor(this.options.clock.now() / 1000), mode);
    if (!check.ok) return this.report({ outcome: 'unauthorized', reason: check.reason });
    try {
      return { notification: parseNotificationBody(signed.body), keyId: check.keyId };
    } catch (error) {
      if (!isAkvsyncError(error) || error.kind !== 'terminal') throw error;
      const field = /field "?([A-Za-z]{1,20})"?/.exec(error.message)?.[1];
      return this.report(field ? { outcome: 'malformed', field } : { outcome: 'malformed' });
    }
  }

  /** Counts a notification handed to the leader (docs/adr/0003-…); the leader counts its own outcome. */
  handedOff(): void {
    this.options.metrics?.notifications.inc({ outcome: 'handed-off' });
  }

  /** Counts and logs a refusal the transport made itself (size, media type, missing headers). */
  refused(refusal: TransportRefusal): void {
    this.report(refusal);
  }

  private report<T extends IntakeOutcome | TransportRefusal>(result: T): T {
    this.options.metrics?.notifications.inc({ outcome: result.outcome });
    if (result.outcome !== 'accepted' && result.outcome !== 'duplicate') {
      const { log, suppressed } = this.refusalLog.allow(result.outcome);
      const fields: Record<string, unknown> = { ...result, ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}) };
      if (log) this.options.logger.info(fields, 'notification refused');
    }
    return result;
  }
}
