/**
 * The webhook's own HTTPS server (never the notify port): `POST /mutate` takes an AdmissionReview v1 and answers
 * with the decision of PodAdmission; `POST /v1/env` (env-route.ts) answers env-exec in agent mode. Fastify checks the content type (application/json only; else 415) and caps
 * the body (`maxBodyBytes`; else 413); every answer, error or not, comes from admission-answer.ts.
 */
import { fastify, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { answerDecision, answerError, type AdmissionOutcome, type WebhookAnswer } from './admission-answer.js';
import { parseAdmissionReview, reviewUid } from './admission-review.js';
import { registerEnvRoute } from './env-route.js';
import type { EnvValues } from './env-values.js';
import type { PodAdmission } from './pod-admission.js';

export const MUTATE_PATH = '/mutate';

export interface WebhookServerOptions {
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  readonly admission: Pick<PodAdmission, 'decide'>;
  /** env-exec's agent mode (`POST /v1/env`) on the same internal port; absent: not served. */
  readonly envValues?: Pick<EnvValues, 'forContainer' | 'watch'>;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  /** Called once per request with its outcome and duration (metrics). */
  readonly observe?: (outcome: AdmissionOutcome, seconds: number) => void;
}

export async function createWebhookServer(options: WebhookServerOptions): Promise<FastifyInstance> {
  const app = fastify({
    logger: false,
    https: { cert: options.tls.certPem, key: options.tls.keyPem },
    bodyLimit: options.maxBodyBytes,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
  });
  app.removeContentTypeParser('text/plain'); // JSON only: anything else is 415
  const send = (reply: FastifyReply, answer: WebhookAnswer, startedAt: bigint): FastifyReply => {
    options.observe?.(answer.outcome, Number(process.hrtime.bigint() - startedAt) / 1e9);
    if (answer.outcome === 'denied' || answer.outcome === 'error' || answer.outcome === 'failed-open') {
      options.logger.info({ outcome: answer.outcome, status: answer.httpStatus }, 'admission not mutated');
    }
    return reply.code(answer.httpStatus).type('application/json').send(answer.body);
  };
  app.addHook('onRequest', async (request) => {
    (request as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
  });
  app.setErrorHandler((error, request, reply) => send(reply, answerError(undefined, error), (request as { startedAt?: bigint }).startedAt ?? process.hrtime.bigint()));
  if (options.envValues) registerEnvRoute(app, options.envValues);
  app.post(MUTATE_PATH, async (request, reply) => {
    const startedAt = (request as { startedAt?: bigint }).startedAt ?? process.hrtime.bigint();
    const uid = reviewUid(request.body);
    try {
      const review = parseAdmissionReview(request.body);
      return send(reply, answerDecision(review.uid, await options.admission.decide(review)), startedAt);
    } catch (error) {
      return send(reply, answerError(uid, error), startedAt);
    }
  });
  return app;
}
