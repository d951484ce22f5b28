/**
 * `POST /v1/env` and `POST /v1/env/watch` on the webhook's internal port (env-exec agent mode; file mode's refresh).
 * `/v1/env`: `Authorization: Bearer <projected token>`, `{"container": "<name>"}` → `{"variables": {…}, "versions":
 * {…}}` (values only here, never logged). `/v1/env/watch`: the same token and container plus `"versions"` (what the
 * last `/v1/env` answered) → `{"changed": true|false}` once a named AzureKeyVaultSecret synced another version, or
 * after at most WATCH_TIMEOUT_MS. The one place their errors become answers: 401 token, 403 another pod/namespace/
 * container or a policy refusal, 404 no placeholder, 422 a bad spec or value, 503 with Retry-After for transient
 * trouble, 500 otherwise (no detail).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAkvsyncError } from '../../core/errors.js';
import { FORBIDDEN_REASON } from '../../core/tenancy/evaluate-access.js';
import type { AkvsVersions, EnvValues } from './env-values.js';

export const ENV_PATH = '/v1/env';
export const ENV_WATCH_PATH = '/v1/env/watch';
/** Below the webhook server's idle-connection timeout, so a quiet long poll is answered rather than cut. */
export const WATCH_TIMEOUT_MS = 25_000;

function answerError(reply: FastifyReply, error: unknown): FastifyReply {
  if (!isAkvsyncError(error)) return reply.code(500).send({ message: 'internal error' });
  if (error.kind === 'transient') return reply.code(503).header('retry-after', '2').send({ message: error.message });
  const status = error.code === 'Unauthorized' ? 401 : error.code === FORBIDDEN_REASON ? 403 : error.kind === 'not-found' ? 404 : 422;
  return reply.code(status).send({ code: error.code, message: error.message });
}

/** The bearer token and container of a request, or the 401/400 answer. */
function caller(request: FastifyRequest, reply: FastifyReply): { token: string; container: string } | FastifyReply {
  const auth = request.headers.authorization;
  const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
  const container = (request.body as { container?: unknown } | null)?.container;
  if (token === '') return reply.code(401).send({ code: 'Unauthorized', message: 'a Bearer token is required' });
  if (typeof container !== 'string' || container === '' || container.length > 253) return reply.code(400).send({ message: 'body must be {"container": "<name>"}' });
  return { token, container };
}

function knownVersions(body: unknown): AkvsVersions | undefined {
  const versions = (body as { versions?: unknown } | null)?.versions;
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) return undefined;
  const entries = Object.entries(versions);
  if (entries.length > 256 || !entries.every(([, v]) => v === null || (typeof v === 'string' && v.length <= 256))) return undefined;
  return Object.fromEntries(entries) as AkvsVersions;
}

export function registerEnvRoute(app: FastifyInstance, values: Pick<EnvValues, 'forContainer' | 'watch'>): void {
  app.post(ENV_PATH, async (request, reply) => {
    const who = caller(request, reply);
    if (!('token' in who)) return who;
    try {
      return reply.code(200).header('cache-control', 'no-store').send(await values.forContainer(who.token, who.container));
    } catch (error) {
      return answerError(reply, error);
    }
  });
  app.post(ENV_WATCH_PATH, async (request, reply) => {
    const who = caller(request, reply);
    if (!('token' in who)) return who;
    const known = knownVersions(request.body);
    if (known === undefined) return reply.code(400).send({ message: 'body must carry "versions": {"<AzureKeyVaultSecret>": "<version>" | null}' });
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort()); // the caller went away (or the answer is sent): stop waiting
    try {
      const changed = await values.watch(who.token, who.container, known, WATCH_TIMEOUT_MS, gone.signal);
      return reply.code(200).header('cache-control', 'no-store').send({ changed });
    } catch (error) {
      return answerError(reply, error);
    }
  });
}
