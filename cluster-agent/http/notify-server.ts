import { fastify } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ParkedNotifications } from '../intake/parked-notifications.js';
import type { LeaderHandOff } from '../intake/leader-hand-off.js';
import type { NotificationIntake } from '../intake/notification-intake.js';
import { notifyRoute } from './notify-route.js';
import { opsRoutes } from './ops-routes.js';

/** Limits of the internet-facing notify port against slow or idle clients (slowloris). */
export interface NotifyServerTimeouts {
  /** Time to receive a request's headers. */
  readonly headersMs: number;
  /** Time to receive a whole request (headers and body). */
  readonly requestMs: number;
  /** An idle socket (no bytes either way) is closed after this. */
  readonly idleMs: number;
  /** An idle keep-alive connection between requests is closed after this. */
  readonly keepAliveMs: number;
}

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
  const app = fastify({
    logger: false,
    https: { cert: options.tls.certPem, key: options.tls.keyPem, headersTimeout: t.headersMs, handshakeTimeout: t.headersMs },
    connectionTimeout: t.idleMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
  });
  closeWithoutFirstRequest(app, t.requestMs);
  await app.register(opsRoutes, { isReady: options.isReady });
  await app.register(notifyRoute, { intake: options.intake, logger: options.logger, handOff: options.handOff, parking: options.parking });
  return app;
}

/**
 * A connection that has not delivered a complete request head within `ms` of its TLS handshake is closed: one that
 * sends nothing, or trickles header bytes (slowloris). Node enforces headersTimeout only on its connection-check
 * interval (30 s), and its socket idle timeout never fires for a connection that trickles.
 */
function closeWithoutFirstRequest(app: FastifyInstance, ms: number): void {
  const pending = new WeakMap<object, NodeJS.Timeout>();
  app.server.on('secureConnection', (socket: TLSSocket) => {
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    pending.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  app.server.on('request', (request: IncomingMessage) => {
    const timer = pending.get(request.socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    pending.delete(request.socket);
  });
}
