/** Read access to certificates (`cer`, `kid`, `sid`, `x5t`) and keys (public JWK), by name and optional version. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { certificateBundle, keyBundle } from './bundles.js';
import type { RouteContext } from './secret-routes.js';

type Params = { name: string; version?: string };

export function certificateKeyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const getCertificate = async (request: FastifyRequest<{ Params: Params }>) => {
    const { name, record } = ctx.state.certificates.get(request.params.name, request.params.version);
    return certificateBundle(ctx.base(), name, record);
  };
  app.get('/certificates/:name', { config: { operation: 'getCertificate' } }, getCertificate);
  app.get('/certificates/:name/:version', { config: { operation: 'getCertificate' } }, getCertificate);

  const getKey = async (request: FastifyRequest<{ Params: Params }>) => {
    const { name, record } = ctx.state.keys.get(request.params.name, request.params.version);
    return keyBundle(ctx.base(), name, record);
  };
  app.get('/keys/:name', { config: { operation: 'getKey' } }, getKey);
  app.get('/keys/:name/:version', { config: { operation: 'getKey' } }, getKey);
}
