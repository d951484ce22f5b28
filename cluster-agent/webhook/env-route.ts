/**
 * `POST /v1/env` on the webhook's internal port (env-exec agent mode). The request: `Authorization: Bearer <projected
 * token>`, `{"container": "<name>"}`; the answer `{"variables": {…}}` (values only here, never logged). The one place
 * its errors become answers: 401 token, 403 another pod/namespace/container or a policy refusal, 404 no placeholder,
 * 422 a bad spec or value, 503 with Retry-After for transient trouble, 500 otherwise (no detail).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAkvsyncError } from '../../core/errors.js';
import { FORBIDDEN_REASON } from '../../core/tenancy/evaluate-access.js';
import type { EnvValues } from './env-values.js';

export const ENV_PATH = '/v1/env';

function answerError(reply: FastifyReply, error: unknown): FastifyReply {
  if (!isAkvsyncError(error)) return reply.code(500).send({ message: 'internal error' });
  if (error.kind === 'transient') return reply.code(503).header('retry-after', '2').send({ message: error.message });
  const status = error.code === 'Unauthorized' ? 401 : error.code === FORBIDDEN_REASON ? 403 : error.kind === 'not-found' ? 404 : 422;
  return reply.code(status).send({ code: error.code, message: error.message });
}

export function registerEnvRoute(app: FastifyInstance, values: Pick<EnvValues, 'forContainer'>): void {
  app.post(ENV_PATH, async (request, reply) => {
    const auth = request.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
    const container = (request.body as { container?: unknown } | null)?.container;
    if (token === '') return reply.code(401).send({ code: 'Unauthorized', message: 'a Bearer token is required' });
    if (typeof container !== 'string' || container === '' || container.length > 253) return reply.code(400).send({ message: 'body must be {"container": "<name>"}' });
    try {
      return reply.code(200).header('cache-control', 'no-store').send({ variables: await values.forContainer(token, container) });
    } catch (error) {
      return answerError(reply, error);
    }
  });
}
