/**
 * `GET /v1/env-exec?arch=amd64|arm64[&file=<name>]` on the webhook's internal port (never the notify port): env-exec
 * for that architecture, streamed from disk — the executable by default, or another file of its bundle (`ld.so`, a
 * library), so the whole bundle can be fetched and checked. Public data: no token. Headers:
 *   x-akvsync-sha256             sha256 (hex) of the file served
 *   repr-digest                  the same, as RFC 9530 `sha-256=:<base64>:`
 *   x-akvsync-env-exec-digest    the bundle's manifest digest: what the webhook pins for that architecture
 * 400 for a missing or unknown arch, 404 for an architecture or file this agent does not carry.
 */
import type { FastifyInstance } from 'fastify';
import { createReadStream } from 'node:fs';
import { ENV_EXEC_ARCHITECTURES, isEnvExecArch } from '../../core/injection/env-exec-manifest.js';
import type { EnvExecBundles } from './env-exec-bundles.js';

export const ENV_EXEC_PATH = '/v1/env-exec';

export function registerEnvExecRoute(app: FastifyInstance, bundles: EnvExecBundles): void {
  app.get(ENV_EXEC_PATH, async (request, reply) => {
    const query = request.query as { arch?: unknown; file?: unknown };
    if (!isEnvExecArch(query.arch)) {
      return reply.code(400).send({ message: `arch must be ${ENV_EXEC_ARCHITECTURES.join(' or ')}` });
    }
    const bundle = bundles.get(query.arch);
    if (!bundle) return reply.code(404).send({ message: `this agent carries no env-exec for ${query.arch}` });
    const name = query.file === undefined ? 'env-exec' : String(query.file);
    const file = bundle.files.get(name);
    if (!file) return reply.code(404).send({ message: `env-exec's ${query.arch} bundle has no file '${name.slice(0, 64)}'` });
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(file.bytes))
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('x-akvsync-sha256', file.sha256)
      .header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`)
      .header('x-akvsync-env-exec-digest', bundle.digest)
      .send(createReadStream(file.path));
  });
}
