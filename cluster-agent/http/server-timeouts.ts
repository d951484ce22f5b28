/**
 * Limits of the agent's HTTPS listeners (the notify port, the webhook port) against slow or idle clients
 * (slowloris): handshake, header, request, idle and keep-alive timeouts, and a first request that must arrive soon
 * after the handshake. Body caps are each server's own (`bodyLimit`).
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface ServerTimeouts {
  /** Time to finish the TLS handshake and to receive a request's headers. */
  readonly headersMs: number;
  /** Time to receive a whole request (headers and body). */
  readonly requestMs: number;
  /** An idle socket (no bytes either way) is closed after this. */
  readonly idleMs: number;
  /** An idle keep-alive connection between requests is closed after this. */
  readonly keepAliveMs: number;
}

/** The options Fastify takes for these timeouts, with the server's certificate. */
export function hardenedHttpsOptions(tls: { readonly certPem: string; readonly keyPem: string }, t: ServerTimeouts) {
  return {
    https: {
      cert: tls.certPem, key: tls.keyPem, headersTimeout: t.headersMs, handshakeTimeout: t.headersMs,
      // Node checks headersTimeout/requestTimeout on this interval (30 s by default): check as often as the shortest.
      connectionsCheckingInterval: Math.min(t.headersMs, t.requestMs, 30_000),
    },
    connectionTimeout: t.idleMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
  };
}

/**
 * A connection that has not delivered a complete request head within `ms` of its TLS handshake is closed: one that
 * sends nothing, or trickles header bytes (slowloris). Node enforces headersTimeout only on its connection-check
 * interval, and its socket idle timeout never fires for a connection that trickles.
 */
export function closeWithoutFirstRequest(app: FastifyInstance, ms: number): void {
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
