/**
 * Which client made a request, for the per-client counters: set by admission (the verified token's `appid`) or by
 * the token endpoint (the form's `client_id`), read when the answer is counted. Requests no client is proven or
 * named for (401 challenges, bad tokens) count as ANONYMOUS.
 */
import type { FastifyRequest } from 'fastify';

export const ANONYMOUS = '(anonymous)';

const clients = new WeakMap<FastifyRequest, string>();

export function attributeRequest(request: FastifyRequest, clientId: string): void {
  clients.set(request, clientId.toLowerCase());
}

export function clientOf(request: FastifyRequest): string {
  return clients.get(request) ?? ANONYMOUS;
}
