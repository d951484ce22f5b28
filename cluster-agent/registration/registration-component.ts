/**
 * The agent's registration with the Function's cluster registry, as one of its components — leader only: the
 * subscription set comes from the CR index, which only the leader's informers fill (and it starts after them, so the
 * first registration is of the synced set, never an empty one that would delete the cluster's rows). Another replica
 * that takes over registers the same set. Every `debounceMs` it computes the set from the CRs
 * (core/registry/subscription-set.ts); a set that changed and then stayed the same for one period is sent, and the
 * set is sent again every `intervalMs` as the heartbeat. A failed request is retried or waits for the next heartbeat,
 * as the agent's error policy decides (decideRegistrationRetry); the agent keeps serving whatever happens.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { VaultObjectRef } from '../../core/ports/vault-object-store.js';
import { subscriptionSet } from '../../core/registry/subscription-set.js';
import { decideRegistrationRetry, describeFailure } from '../error-policy.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { RegistrationClient } from './registration-client.js';
import type { RegistrationConfig } from './registration-config.js';

export interface RegistrationDeps {
  readonly client: Pick<RegistrationClient, 'register'>;
  /** The vault objects the CRs reference now. */
  readonly objects: () => Iterable<VaultObjectRef>;
  /** The queue the agent drains (queue mode), to check it against the one the Function delivers to. */
  readonly queueName: string | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly registry: Registry;
}

export function registrationComponent(config: RegistrationConfig, deps: RegistrationDeps): Component {
  const { scheduler, logger } = deps;
  const requests = new Counter({ name: 'akvsync_registrations_total', help: 'Registrations and heartbeats sent to the Function, by outcome (ok, or the error code)', labelNames: ['outcome'] as const, registers: [deps.registry] });
  const lastOk = new Gauge({ name: 'akvsync_registration_last_success_timestamp_seconds', help: 'When the Function last accepted this cluster\'s registration', registers: [deps.registry] });
  let cancel: (() => void) | undefined;
  let sending: Promise<void> | undefined;
  let stopped = true;
  let sent: string | undefined;
  let seen: string | undefined;
  let dueAt = 0;
  let failures = 0;

  const send = async (set: ReturnType<typeof subscriptionSet>, fingerprint: string): Promise<void> => {
    const changed = fingerprint !== sent;
    try {
      const answer = await deps.client.register(set);
      sent = fingerprint;
      failures = 0;
      dueAt = scheduler.now() + config.intervalMs;
      requests.inc({ outcome: 'ok' });
      lastOk.set(Math.floor(scheduler.now() / 1000));
      const fields = { cluster: config.cluster, delivery: config.delivery, keyId: answer.keyId, subscriptions: answer.subscriptions, written: answer.written, deleted: answer.deleted };
      if (changed) logger.info(fields, 'registered with the Function');
      else logger.debug(fields, 'heartbeat sent');
      if (answer.queueName !== undefined && deps.queueName !== undefined && answer.queueName !== deps.queueName) {
        logger.error({ cluster: config.cluster, functionQueue: answer.queueName, agentQueue: deps.queueName }, 'the Function delivers to another queue than AKVSYNC_QUEUE_NAME: set it to the Function\'s queue');
      }
    } catch (error) {
      const failure = describeFailure(error);
      const decision = decideRegistrationRetry(error, failures++);
      dueAt = scheduler.now() + (decision.action === 'retry' ? decision.delayMs : config.intervalMs);
      requests.inc({ outcome: failure.code });
      const fields = { cluster: config.cluster, code: failure.code, error: failure.message, failures, retryInMs: dueAt - scheduler.now() };
      if (decision.action === 'retry') logger.warn(fields, 'registration failed; retrying');
      else logger.error(fields, 'registration refused; tried again at the next heartbeat');
    }
  };

  /** The set to send, or undefined when it cannot be computed (then nothing is sent: an empty set would unsubscribe everything). */
  const currentSet = (): ReturnType<typeof subscriptionSet> | undefined => {
    try {
      return subscriptionSet(deps.objects());
    } catch (error) {
      logger.error({ code: describeFailure(error).code, error: describeFailure(error).message }, 'cannot compute the subscription set; nothing sent');
      return undefined;
    }
  };

  const tick = (): void => {
    if (stopped) return;
    const set = sending ? undefined : currentSet();
    if (set) {
      const fingerprint = JSON.stringify(set);
      const settled = fingerprint !== sent && fingerprint === seen && failures === 0;
      seen = fingerprint;
      if (settled || scheduler.now() >= dueAt) sending = send(set, fingerprint).finally(() => (sending = undefined));
    }
    cancel = scheduler.schedule(config.debounceMs, tick);
  };

  return {
    name: 'registration',
    leaderOnly: true,
    start: async () => {
      stopped = false;
      dueAt = 0;
      tick();
      logger.info({ cluster: config.cluster, delivery: config.delivery, url: config.url }, 'registration started');
    },
    stop: async () => {
      stopped = true;
      cancel?.();
      await sending;
    },
  };
}
