import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface OpsRouteOptions {
  readonly isReady: () => boolean;
  readonly registry: Registry;
}

/** GET /healthz (the process answers), /readyz (the CR informer has synced), /metrics (Prometheus text). */
export async function opsRoutes(app: FastifyInstance, options: OpsRouteOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    options.isReady() ? { status: 'ready' } : reply.code(503).send({ status: 'not-ready' }),
  );
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', options.registry.contentType).send(await options.registry.metrics()),
  );
}
