/**
 * The webhook's own HTTPS server (never the notify port): `POST /mutate` takes an AdmissionReview v1 and answers
 * with the decision of PodAdmission; `POST /v1/env` and `POST /v1/env/watch` (env-route.ts) answer env-exec in agent
 * mode and file mode's refresh; `GET /v1/env-exec` (env-exec-route.ts) serves env-exec itself. Fastify checks the
 * content type (application/json only; else 415), caps the body (`maxBodyBytes`; else 413) and cuts off slow or idle
 * clients (`timeouts`); every admission answer, error or not, comes from admission-answer.ts.
 */
import { fastify, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { closeWithoutFirstRequest, hardenedHttpsOptions, type ServerTimeouts } from '../http/server-timeouts.js';
import { answerDecision, answerError, type AdmissionOutcome, type WebhookAnswer } from './admission-answer.js';
import { parseAdmissionReview, reviewUid } from './admission-review.js';
import type { EnvExecBundles } from './env-exec-bundles.js';
import { registerEnvExecRoute } from './env-exec-route.js';
import { registerEnvRoute } from './env-route.js';
import type { EnvValues } from './env-values.js';
import type { PodAdmission } from './pod-admission.js';

export const MUTATE_PATH = '/mutate';

/**
 * Keep-alive above the apiserver's idle-connection timeout (Go's 90 s), so the apiserver closes an idle connection
 * first and never sends a review on one the agent is closing; headers and the whole request must come quickly.
 */
export const defaultWebhookServerTimeouts: ServerTimeouts = Object.freeze({ headersMs: 5_000, requestMs: 10_000, idleMs: 150_000, keepAliveMs: 120_000 });

export interface WebhookServerOptions {
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  readonly admission: Pick<PodAdmission, 'decide'>;
  /** env-exec's agent mode (`POST /v1/env`) on the same internal port; absent: not served. */
  readonly envValues?: Pick<EnvValues, 'forContainer' | 'watch'>;
  /** env-exec's bundles, served at `GET /v1/env-exec`; absent: not served. */
  readonly envExec?: EnvExecBundles;
  readonly maxBodyBytes: number;
  /** Slow or idle clients are cut off (server-timeouts.ts); default defaultWebhookServerTimeouts. */
  readonly timeouts?: ServerTimeouts | undefined;
  readonly logger: Logger;
  /** Called once per request with its outcome and duration (metrics). */
  readonly observe?: (outcome: AdmissionOutcome, seconds: number) => void;
}

export async function createWebhookServer(options: WebhookServerOptions): Promise<FastifyInstance> {
  const t = options.timeouts ?? defaultWebhookServerTimeouts;
  const app = fastify({ logger: false, bodyLimit: options.maxBodyBytes, ...hardenedHttpsOptions(options.tls, t) });
  closeWithoutFirstRequest(app, t.requestMs);
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
  if (options.envExec) registerEnvExecRoute(app, options.envExec);
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
