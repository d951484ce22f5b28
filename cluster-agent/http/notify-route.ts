import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isAkvsyncError } from '../../core/errors.js';
import { MAX_NOTIFICATION_BYTES, NOTIFICATION_HEADERS, NOTIFICATION_PATH } from '../../core/notification/notification.js';
import type { Notification } from '../../core/notification/notification.js';
import { parseNotificationBody } from '../../core/notification/parse-notification.js';
import type { Clock } from '../../core/ports/clock.js';
import type { AgentEvents } from '../agent-events.js';
import type { AgentMetrics } from '../metrics.js';
import type { SeenEvents } from './seen-events.js';
import { verifyReceivedNotification } from './verify-notification.js';

export interface NotifyRouteOptions {
  readonly keyring: ReadonlyMap<string, Uint8Array>;
  readonly clock: Clock;
  readonly seen: SeenEvents;
  /** False until the CR informer has synced: answered 503 so the sender retries. */
  readonly isReady: () => boolean;
  /** Puts the notification's object on the work queue (synchronously: nothing slow on the request path). */
  readonly accept: (n: Notification) => void;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics | undefined;
  readonly events?: AgentEvents | undefined;
}

type Outcome = 'accepted' | 'duplicate' | 'malformed' | 'unauthorized' | 'too-large' | 'unsupported-media-type' | 'not-ready';

const ERROR_NAMES: Readonly<Record<Outcome, string>> = {
  accepted: '',
  duplicate: '',
  malformed: 'invalid-notification',
  unauthorized: 'unauthorized',
  'too-large': 'payload-too-large',
  'unsupported-media-type': 'unsupported-media-type',
  'not-ready': 'not-ready',
};

/**
 * POST /v1/notifications (docs/adr/0001-notification-protocol.md). The HMAC is checked over the RAW body bytes
 * (a content-type parser keeps the string), before the body is parsed. 202 accepted → enqueued; 200 duplicate for an
 * event id already accepted (recorded only after verification and enqueue); 400 malformed; 401 bad signature, unknown
 * key or stale timestamp; 413 larger than MAX_NOTIFICATION_BYTES; 415 not JSON; 503 not ready.
 * Registered as an encapsulated plugin so its parser and error handler affect no other route.
 */
export async function notifyRoute(app: FastifyInstance, options: NotifyRouteOptions): Promise<void> {
  const { keyring, clock, seen, logger, metrics, events } = options;
  const answer = (reply: FastifyReply, code: number, outcome: Outcome, detail?: Record<string, string>): FastifyReply => {
    metrics?.notifications.inc({ outcome });
    if (outcome !== 'accepted' && outcome !== 'duplicate') logger.info({ outcome, ...detail }, 'notification refused');
    const body = outcome === 'accepted' || outcome === 'duplicate' ? { status: outcome } : { error: ERROR_NAMES[outcome], ...detail };
    if (code === 503) reply.header('retry-after', '5');
    return reply.code(code).send(body);
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_NOTIFICATION_BYTES }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error: { statusCode?: number; code?: string }, _request, reply) => {
    if (error.statusCode === 413) return answer(reply, 413, 'too-large');
    if (error.statusCode === 415) return answer(reply, 415, 'unsupported-media-type');
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return answer(reply, 400, 'malformed');
    logger.error({ code: error.code }, 'notify route failed');
    return reply.code(500).send({ status: 'error' });
  });

  app.post(NOTIFICATION_PATH, { bodyLimit: MAX_NOTIFICATION_BYTES }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!options.isReady()) return answer(reply, 503, 'not-ready');
    const raw = request.body;
    if (typeof raw !== 'string') return answer(reply, 415, 'unsupported-media-type');
    if (Buffer.byteLength(raw, 'utf8') > MAX_NOTIFICATION_BYTES) return answer(reply, 413, 'too-large');
    const keyId = header(request, NOTIFICATION_HEADERS.keyId);
    const timestamp = header(request, NOTIFICATION_HEADERS.timestamp);
    const signature = header(request, NOTIFICATION_HEADERS.signature);
    if (keyId === undefined) return answer(reply, 401, 'unauthorized', { reason: 'unknown-key' });
    if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) {
      return answer(reply, 401, 'unauthorized', { reason: 'malformed-signature' });
    }
    const nowSeconds = Math.floor(clock.now() / 1000);
    const check = verifyReceivedNotification(keyring, { keyId, timestamp: Number(timestamp), signature, body: raw }, nowSeconds, 'push');
    if (!check.ok) return answer(reply, 401, 'unauthorized', { reason: check.reason });
    let notification: Notification;
    try {
      notification = parseNotificationBody(raw);
    } catch (error) {
      if (isAkvsyncError(error) && error.kind === 'terminal') {
        const field = /field "?([A-Za-z]{1,20})"?/.exec(error.message)?.[1];
        return answer(reply, 400, 'malformed', field ? { field } : {});
      }
      throw error;
    }
    if (seen.has(notification.eventId)) return answer(reply, 200, 'duplicate');
    const receivedAt = clock.now();
    options.accept(notification);
    seen.add(notification.eventId);
    const { eventId, vault, objectName, version, eventType } = notification;
    logger.info({ eventId, vault, objectName, version, eventType, keyId: check.keyId }, 'notification accepted');
    events?.emit('notification-verified', { eventId, vault, objectName, version, receivedAt });
    return answer(reply, 202, 'accepted');
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}
