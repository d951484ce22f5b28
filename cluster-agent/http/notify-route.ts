import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { MAX_NOTIFICATION_BYTES, NOTIFICATION_HEADERS, NOTIFICATION_PATH } from '../../core/notification/notification.js';
import type { SignedNotification } from '../../core/notification/notification.js';
import type { LeaderHandOff } from '../intake/leader-hand-off.js';
import type { ParkedNotifications } from '../intake/parked-notifications.js';
import type { IntakeOutcome, NotificationIntake, TransportRefusal } from '../intake/notification-intake.js';

export interface NotifyRouteOptions {
  readonly intake: NotificationIntake;
  readonly logger: Logger;
  /** With several replicas: hands a verified notification to the leader while another replica leads. */
  readonly handOff?: LeaderHandOff | undefined;
  /** With several replicas: where a verified notification waits while no leader can take it (202, not 503). */
  readonly parking?: ParkedNotifications | undefined;
}

const STATUS: Readonly<Record<(IntakeOutcome | TransportRefusal)['outcome'], number>> = {
  accepted: 202,
  duplicate: 200,
  malformed: 400,
  unauthorized: 401,
  'too-large': 413,
  'unsupported-media-type': 415,
  'not-ready': 503,
};

const ERROR_NAMES: Readonly<Record<(IntakeOutcome | TransportRefusal)['outcome'], string>> = {
  accepted: '',
  duplicate: '',
  malformed: 'invalid-notification',
  unauthorized: 'unauthorized',
  'too-large': 'payload-too-large',
  'unsupported-media-type': 'unsupported-media-type',
  'not-ready': 'not-ready',
};

/**
 * POST /v1/notifications (docs/adr/0001-notification-protocol.md): the push transport, a thin adapter over
 * NotificationIntake (mode `push`). The HMAC is checked over the RAW body bytes (a content-type parser keeps the
 * string). 202 accepted → enqueued; 200 duplicate for an event id already accepted; 400 malformed; 401 bad signature,
 * unknown key or stale timestamp; 413 larger than MAX_NOTIFICATION_BYTES; 415 not JSON; 503 not ready.
 * Registered as an encapsulated plugin so its parser and error handler affect no other route.
 */
export async function notifyRoute(app: FastifyInstance, options: NotifyRouteOptions): Promise<void> {
  const { intake, logger } = options;
  const answer = (reply: FastifyReply, result: IntakeOutcome | TransportRefusal): FastifyReply => {
    const { outcome, ...detail } = result;
    const body = outcome === 'accepted' || outcome === 'duplicate' ? { status: outcome } : { error: ERROR_NAMES[outcome], ...detail };
    if (outcome === 'not-ready') reply.header('retry-after', '5');
    return reply.code(STATUS[outcome]).send(body);
  };
  const refuse = (reply: FastifyReply, refusal: TransportRefusal): FastifyReply => {
    intake.refused(refusal);
    return answer(reply, refusal);
  };
  /** No leader can take it now: park it (202) so it is handed on when one can; 503 without parking or when full. */
  const park = (reply: FastifyReply, signed: SignedNotification, eventId: string): FastifyReply =>
    options.parking?.park(signed, eventId) ? reply.code(202).send({ status: 'accepted' }) : refuse(reply, { outcome: 'not-ready' });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_NOTIFICATION_BYTES }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error: { statusCode?: number; code?: string }, _request, reply) => {
    if (error.statusCode === 413) return refuse(reply, { outcome: 'too-large' });
    if (error.statusCode === 415) return refuse(reply, { outcome: 'unsupported-media-type' });
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return refuse(reply, { outcome: 'malformed' });
    logger.error({ code: error.code }, 'notify route failed');
    return reply.code(500).send({ status: 'error' });
  });

  app.post(NOTIFICATION_PATH, { bodyLimit: MAX_NOTIFICATION_BYTES }, async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.body;
    if (typeof raw !== 'string') return refuse(reply, { outcome: 'unsupported-media-type' });
    if (Buffer.byteLength(raw, 'utf8') > MAX_NOTIFICATION_BYTES) return refuse(reply, { outcome: 'too-large' });
    const keyId = header(request, NOTIFICATION_HEADERS.keyId);
    const timestamp = header(request, NOTIFICATION_HEADERS.timestamp);
    const signature = header(request, NOTIFICATION_HEADERS.signature);
    if (keyId === undefined) return refuse(reply, { outcome: 'unauthorized', reason: 'unknown-key' });
    if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) {
      return refuse(reply, { outcome: 'unauthorized', reason: 'malformed-signature' });
    }
    const signed = { keyId, timestamp: Number(timestamp), signature, body: raw };
    if (options.handOff?.active) {
      // Not the leader: refuse what is bad here, hand the rest over byte for byte (ADR 0003), pass the answer back.
      const checked = intake.check(signed, 'push');
      if ('outcome' in checked) return answer(reply, checked);
      const forwarded = await options.handOff.forward(signed);
      if (!forwarded) return park(reply, signed, checked.notification.eventId);
      intake.handedOff();
      if (forwarded.retryAfter !== undefined) reply.header('retry-after', forwarded.retryAfter);
      return reply.code(forwarded.status).send(forwarded.body);
    }
    if (options.parking && !intake.ready) {
      // No replica can take it yet (a failover, or this new leader's informers still listing).
      const checked = intake.check(signed, 'push');
      return 'outcome' in checked ? answer(reply, checked) : park(reply, signed, checked.notification.eventId);
    }
    return answer(reply, intake.receive(signed, 'push'));
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}
