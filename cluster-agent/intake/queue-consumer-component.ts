/**
 * The queue consumer as one of the agent's components: leader only (the work queue it feeds runs on the leader; the
 * messages wait in the queue for whichever replica leads). Connects with a connection string (Azurite) or with the
 * agent's Azure identity to the queue service URL.
 */
import type { TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Component } from '../manager/component.js';
import { agentWarningEvents } from './agent-warning-event.js';
import type { NotificationIntake } from './notification-intake.js';
import type { QueueIntakeConfig } from './queue-intake-config.js';
import { StorageQueueConsumer } from './storage-queue-consumer.js';

export interface QueueConsumerDeps {
  readonly intake: NotificationIntake;
  readonly credential: TokenCredential;
  readonly kubeConfig: KubeConfig;
  readonly namespace: string | undefined;
  readonly logger: Logger;
  readonly registry: Registry;
}

export function queueConsumerComponent(config: QueueIntakeConfig, deps: QueueConsumerDeps): Component {
  const client = (name: string): QueueClient =>
    config.connectionString !== undefined ? new QueueClient(config.connectionString, name) : new QueueClient(`${config.serviceUrl}/${name}`, deps.credential);
  const namespace = deps.namespace ?? deps.kubeConfig.getContextObject(deps.kubeConfig.getCurrentContext())?.namespace ?? 'default';
  const consumer = new StorageQueueConsumer({
    queue: client(config.queueName),
    poisonQueue: client(`${config.queueName}-poison`),
    intake: deps.intake,
    visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    maxDequeueCount: config.maxDequeueCount,
    maxPollIntervalMs: config.maxPollIntervalMs,
    logger: deps.logger,
    registry: deps.registry,
    warn: agentWarningEvents(deps.kubeConfig, namespace, config.podName),
  });
  return {
    name: 'queue-consumer',
    leaderOnly: true,
    start: async () => {
      consumer.start();
      deps.logger.info({ queue: config.queueName }, 'queue consumer started');
    },
    stop: () => consumer.stop(),
  };
}
