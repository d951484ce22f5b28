/**
 * A push waiting for its next attempt, as it sits in the cluster's retry queue: the notification's fields (no
 * signature: every attempt is signed afresh), its dedupe key, how many attempts were made and the last error code.
 * Nothing secret: names, versions, ids and codes. The queue text is the base64 of this JSON, like the queue envelope.
 */
import { TerminalError } from '../core/errors.js';
import { notificationBody } from '../core/notification/notification-body.js';
import type { Notification } from '../core/notification/notification.js';
import { parseNotificationBody } from '../core/notification/parse-notification.js';

export interface PushRetry {
  readonly cluster: string;
  readonly notification: Notification;
  readonly dedupeKey: string;
  /** Attempts made so far (1 after the first push failed). */
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastError: string;
}

const invalid = (message: string): TerminalError => new TerminalError('InvalidRetryMessage', message);

export function encodePushRetry(r: PushRetry): string {
  const json = JSON.stringify({ v: 1, cluster: r.cluster, body: notificationBody(r.notification), dedupeKey: r.dedupeKey, attempts: r.attempts, firstFailedAt: r.firstFailedAt, lastError: r.lastError });
  return Buffer.from(json, 'utf8').toString('base64');
}

/** The queue trigger hands over the decoded JSON (parsed) or text; throws TerminalError('InvalidRetryMessage'). */
export function decodePushRetry(message: unknown): PushRetry {
  let m: unknown = message;
  if (typeof m === 'string') {
    try {
      m = JSON.parse(m.trim().startsWith('{') ? m : Buffer.from(m, 'base64').toString('utf8'));
    } catch {
      throw invalid('retry message is not JSON');
    }
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw invalid('retry message is not a JSON object');
  const r = m as Record<string, unknown>;
  if (r.v !== 1) throw invalid('retry message field "v" must be 1');
  for (const field of ['cluster', 'body', 'dedupeKey', 'firstFailedAt', 'lastError'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '' || (r[field] as string).length > 4096) throw invalid(`retry message field "${field}" must be a non-empty string`);
  }
  if (typeof r.attempts !== 'number' || !Number.isSafeInteger(r.attempts) || r.attempts < 1) throw invalid('retry message field "attempts" must be a positive integer');
  return {
    cluster: r.cluster as string,
    notification: parseNotificationBody(r.body as string),
    dedupeKey: r.dedupeKey as string,
    attempts: r.attempts,
    firstFailedAt: r.firstFailedAt as string,
    lastError: (r.lastError as string).slice(0, 100),
  };
}
