/**
 * What every emulator listener does around its routes: name the operation (from the route's `config.operation`),
 * admit the request (authentication, api-version), apply an injected fault, count the answer, and turn errors
 * into Key Vault-shaped bodies without echoing request content (a parse error could quote a secret value).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultInjector } from './fault-injector.js';
import { KvError } from './kv-error.js';
import { clientOf } from './request-client.js';
import type { RequestStats } from './request-stats.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: string;
  }
}

export interface EarlyAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

export interface InstrumentOptions {
  /** A vault name or AUTHORITY. */
  readonly target: string;
  readonly stats: RequestStats;
  readonly faults: FaultInjector;
  /** An answer that stops the request before the fault and the handler, or undefined to go on. */
  readonly admit?: (request: FastifyRequest) => Promise<EarlyAnswer | undefined>;
  /** Answers for errors of the listener's own kind (tried before the Key Vault ones). */
  readonly mapError?: (error: unknown) => EarlyAnswer | undefined;
}

export function operationOf(request: FastifyRequest): string {
  return request.routeOptions.config?.operation ?? 'unknown';
}

export function instrument(app: FastifyInstance, options: InstrumentOptions): void {
  const { target, stats, faults, admit, mapError } = options;
  app.addHook('onRequest', async (request, reply) => {
    const early = admit ? await admit(request) : undefined;
    if (early) return answer(reply, early);
    const fault = faults.take(target, request.method, request.url.split('?')[0] ?? '');
    if (!fault) return undefined;
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.status === undefined) return undefined;
    return answer(reply, {
      status: fault.status,
      headers: fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
      body: faultError(fault.status).body(),
    });
  });
  // Counted before the answer leaves (onSend), so a client that has its answer always sees it counted.
  app.addHook('onSend', async (request, reply, payload) => {
    stats.record(target, operationOf(request), reply.statusCode, clientOf(request));
    return payload;
  });
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const mapped = mapError?.(error);
    if (mapped) return answer(reply, mapped);
    if (error instanceof KvError) return reply.code(error.status).send(error.body());
    if (error.validation) return reply.code(400).send(new KvError(400, 'BadParameter', `Invalid request: ${error.message}`).body());
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(400).send(new KvError(400, 'BadParameter', `The request could not be read (${error.code ?? 'malformed body'}).`).body());
    }
    console.error(`[kv-emulator] ${target} ${operationOf(request)}: unexpected error`, error);
    return reply.code(500).send(new KvError(500, 'InternalServerError', 'The emulator failed; see its standard error.').body());
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send(new KvError(404, 'NotFound', `No such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}`).body()),
  );
}

function answer(reply: FastifyReply, early: EarlyAnswer): FastifyReply {
  return reply.code(early.status).headers(early.headers ?? {}).send(early.body);
}

function faultError(status: 429 | 500 | 503): KvError {
  if (status === 429) return new KvError(429, 'Throttled', 'Request was not processed because too many requests were received (injected fault).');
  if (status === 503) return new KvError(503, 'ServiceUnavailable', 'The service is unavailable (injected fault).');
  return new KvError(500, 'InternalServerError', 'An internal error occurred (injected fault).');
}
