import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface OpsRouteOptions {
  readonly isReady: () => boolean;
  /** Serve GET /metrics from this registry; absent on the notify port (only the notify route and probes there). */
  readonly registry?: Registry | undefined;
}

/** GET /healthz (the process answers), /readyz (the CR informer has synced) and, when given a registry, /metrics. */
export async function opsRoutes(app: FastifyInstance, options: OpsRouteOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    options.isReady() ? { status: 'ready' } : reply.code(503).send({ status: 'not-ready' }),
  );
  const registry = options.registry;
  if (registry) {
    app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  }
}
