import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ParkedNotifications } from '../intake/parked-notifications.js';
import type { LeaderHandOff } from '../intake/leader-hand-off.js';
import type { NotificationIntake } from '../intake/notification-intake.js';
import { notifyRoute } from './notify-route.js';
import { opsRoutes } from './ops-routes.js';
import { closeWithoutFirstRequest, hardenedHttpsOptions, type ServerTimeouts } from './server-timeouts.js';

/** Limits of the internet-facing notify port against slow or idle clients (slowloris). */
export type NotifyServerTimeouts = ServerTimeouts;

export const defaultNotifyServerTimeouts: NotifyServerTimeouts = Object.freeze({ headersMs: 5_000, requestMs: 10_000, idleMs: 30_000, keepAliveMs: 5_000 });

export interface NotifyServerOptions {
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  readonly intake: NotificationIntake;
  readonly isReady: () => boolean;
  readonly logger: Logger;
  readonly timeouts?: NotifyServerTimeouts | undefined;
  readonly handOff?: LeaderHandOff | undefined;
  readonly parking?: ParkedNotifications | undefined;
}

/**
 * The HTTPS notify port: POST /v1/notifications and the probes, nothing else (metrics stay on the ops port), with
 * header, request, idle and keep-alive timeouts so slow clients cannot hold connections open. Its certificate can be
 * swapped while it runs: `server.setSecureContext` (see tls-reloader.ts).
 */
export async function createNotifyServer(options: NotifyServerOptions): Promise<FastifyInstance> {
  const t = options.timeouts ?? defaultNotifyServerTimeouts;
  const app = fastify({ logger: false, ...hardenedHttpsOptions(options.tls, t) });
  closeWithoutFirstRequest(app, t.requestMs);
  await app.register(opsRoutes, { isReady: options.isReady });
  await app.register(notifyRoute, { intake: options.intake, logger: options.logger, handOff: options.handOff, parking: options.parking });
  return app;
}
