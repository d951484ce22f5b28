/**
 * POST /api/clusters/{cluster}/registration — a cluster's agent registers and heartbeats its subscription set,
 * delivery mode and endpoint, signed with the cluster's own key (core/registry/registration-signature.ts: its own
 * string-to-sign with a nonce, so neither a notification nor an earlier registration can be replayed as one).
 * Order: signature and timestamp window, then the nonce (remembered only for a valid signature, so a forger cannot
 * burn nonces), then the body (the endpoint is refused when it is not https, carries credentials, or aims at a
 * link-local, unspecified or metadata address), then the registry rows; a queue-mode cluster's queue is created here.
 * Answers: 200 registered; 400 invalid body; 401 with the reason; 404 registry off; 413 too large; 503 storage down.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { isAkvsyncError, TransientError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { SigningKey } from '../core/notification/signature.js';
import { REGISTRATION_HEADERS, verifyRegistration } from '../core/registry/registration-signature.js';
import { InvalidRegistrationError, MAX_REGISTRATION_BYTES, parseRegistration } from '../core/registry/registration.js';
import { invocationLogger } from './adapters/invocation-logger.js';
import type { TableClusterRegistry } from './adapters/table-cluster-registry.js';
import type { TableNonceStore } from './adapters/table-nonce-store.js';
import { deliveryQueueName } from './cluster-queues.js';
import { forbiddenAddressReason } from '../core/net/forbidden-address.js';
import type { Logger } from './ports/logger.js';
import type { FunctionRuntime } from './runtime.js';

export interface RegistrationRequest {
  readonly cluster: string;
  readonly header: (name: string) => string | null | undefined;
  readonly body: string;
}

export interface RegistrationDependencies {
  readonly keys: ReadonlyMap<string, SigningKey>;
  readonly registry: Pick<TableClusterRegistry, 'register'>;
  readonly nonces: Pick<TableNonceStore, 'remember'>;
  readonly clock: Clock;
  /** Creates a queue-mode cluster's delivery queue when it does not exist. */
  readonly createQueue: (name: string) => Promise<void>;
  readonly log: Logger;
}

export interface RegistrationAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const refused = (reason: string): RegistrationAnswer => ({ status: 401, body: { error: reason } });

export async function handleRegistration(req: RegistrationRequest, deps: RegistrationDependencies): Promise<RegistrationAnswer> {
  const fields = { cluster: req.cluster.slice(0, 63) };
  if (Buffer.byteLength(req.body) > MAX_REGISTRATION_BYTES) return { status: 413, body: { error: 'too-large' } };
  const key = deps.keys.get(req.cluster);
  const timestamp = Number(req.header(REGISTRATION_HEADERS.timestamp) ?? NaN);
  const signed = {
    keyId: req.header(REGISTRATION_HEADERS.keyId) ?? '',
    timestamp,
    nonce: req.header(REGISTRATION_HEADERS.nonce) ?? '',
    signature: req.header(REGISTRATION_HEADERS.signature) ?? '',
    body: req.body,
  };
  const nowMs = deps.clock.now();
  const check = key ? verifyRegistration(new Map([[key.keyId, key.key]]), signed, Math.floor(nowMs / 1000)) : { ok: false as const, reason: 'unknown-key' as const };
  if (!check.ok) {
    deps.log.warn('registration refused', { ...fields, reason: check.reason });
    return refused(check.reason);
  }
  try {
    if (!(await deps.nonces.remember(req.cluster, signed.nonce, timestamp, nowMs))) {
      deps.log.warn('registration refused', { ...fields, reason: 'replayed-nonce' });
      return refused('replayed-nonce');
    }
    const registration = parseRegistration(req.body, req.cluster, forbiddenAddressReason);
    if (registration.delivery === 'queue') await deps.createQueue(deliveryQueueName(registration.cluster));
    const outcome = await deps.registry.register(registration, check.keyId, nowMs);
    deps.log.info('cluster registered', { ...fields, delivery: registration.delivery, ...outcome });
    return {
      status: 200,
      body: { cluster: registration.cluster, delivery: registration.delivery, ...outcome, ...(registration.delivery === 'queue' ? { queueName: deliveryQueueName(registration.cluster) } : {}) },
    };
  } catch (error) {
    if (error instanceof InvalidRegistrationError) {
      deps.log.warn('registration refused: invalid body', { ...fields, problems: error.problems.join('; ') });
      return { status: 400, body: { error: 'invalid-registration', problems: error.problems } };
    }
    const transient = error instanceof TransientError || !isAkvsyncError(error);
    deps.log.error('registration failed', { ...fields, error: error instanceof Error ? error.message : String(error) });
    return { status: transient ? 503 : 500, body: { error: transient ? 'storage-unavailable' : 'failed' } };
  }
}

export function clusterRegistrationHandler(runtime: () => Promise<FunctionRuntime>) {
  return async function clusterRegistration(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const { registry, config, routing, storage } = await runtime();
    if (!registry || !config.registry || !storage) return { status: 404, jsonBody: { error: 'registry-off' } };
    const answer = await handleRegistration(
      { cluster: request.params.cluster ?? '', header: (name) => request.headers.get(name), body: await request.text() },
      {
        keys: config.registry.keys,
        registry: registry.clusters,
        nonces: registry.nonces,
        clock: routing.clock,
        createQueue: async (name) => {
          await storage.queue(name).createIfNotExists();
        },
        log: invocationLogger(context),
      },
    );
    return { status: answer.status, jsonBody: answer.body };
  };
}

export function registerClusterRegistration(runtime: () => Promise<FunctionRuntime>): void {
  app.http('clusterRegistration', { route: 'clusters/{cluster}/registration', methods: ['POST'], authLevel: 'anonymous', handler: clusterRegistrationHandler(runtime) });
}
