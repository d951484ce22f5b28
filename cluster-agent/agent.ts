import type { TokenCredential } from '@azure/identity';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { fastify } from 'fastify';
import type { Logger } from 'pino';
import { NOTIFICATION_PATH } from '../core/notification/notification.js';
import type { Clock } from '../core/ports/clock.js';
import { AkvsInformerSet } from './adapters/akvs-informer.js';
import { createAzureCredential } from './adapters/azure-credential.js';
import { getOrCreateDataHashKey } from './adapters/data-hash-key-secret.js';
import { KeyVaultObjectStore } from './adapters/key-vault-object-store.js';
import { KubeClusterApi } from './adapters/kube-cluster-api.js';
import { createAgentEvents } from './agent-events.js';
import type { AgentEvents } from './agent-events.js';
import { vaultUrlOf } from './config.js';
import type { AgentConfig } from './config.js';
import { AkvsIndex } from './controller/akvs-index.js';
import { AkvsWatchHandler } from './controller/akvs-watch-handler.js';
import { FallbackCheck } from './controller/fallback-check.js';
import type { FallbackCheckReport } from './controller/fallback-check.js';
import { handleNotification } from './controller/notification-handler.js';
import type { QueueAction, ReconcileResult } from './controller/queue-action.js';
import { ReadStates } from './controller/read-state.js';
import { Reconciler } from './controller/reconcile.js';
import { StatusWriter } from './controller/status-writer.js';
import { SyncHints } from './controller/sync-hints.js';
import { WorkQueue } from './controller/work-queue.js';
import { describeFailure } from './error-policy.js';
import { notifyRoute } from './http/notify-route.js';
import { opsRoutes } from './http/ops-routes.js';
import { serverComponent } from './http/server-component.js';
import type { ServerComponent } from './http/server-component.js';
import { NotificationIntake } from './intake/notification-intake.js';
import { SeenEvents } from './intake/seen-events.js';
import { queueConsumerComponent } from './intake/queue-consumer-component.js';
import { createLogger } from './logger.js';
import { alwaysLeader } from './manager/component.js';
import { ComponentManager } from './manager/component-manager.js';
import { AgentMetrics } from './metrics.js';
import { systemScheduler } from './ports/scheduler.js';
import type { Scheduler } from './ports/scheduler.js';

export interface AgentDeps {
  readonly kubeConfig?: KubeConfig;
  readonly credential?: TokenCredential;
  readonly clock?: Clock;
  /** Timers as well as time (tests); defaults to the clock plus real timers. */
  readonly scheduler?: Scheduler;
  readonly logger?: Logger;
}

export interface RunningAgent {
  /** https://…/v1/notifications, or '' when the notify endpoint is disabled. */
  readonly notifyUrl: string;
  readonly metricsUrl: string;
  readonly events: AgentEvents;
  /** Runs one fallback check now (tests, demo). */
  runFallbackCheck(): Promise<FallbackCheckReport>;
  /** Resolves when the work queue has nothing queued or in progress. */
  whenIdle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires the agent as a manager of named components (cluster-agent/manager/): on every replica the apiserver
 * connections, the ops server (probes, metrics) and the notify server (intake); on the leader only the work queue,
 * the CR informers and the fallback check. Leader election is a seam (`alwaysLeader` until a Lease elector exists).
 */
export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<RunningAgent> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);
  const scheduler: Scheduler = deps.scheduler ?? (deps.clock ? { now: () => deps.clock!.now(), schedule: systemScheduler.schedule } : systemScheduler);
  const clock: Clock = deps.clock ?? scheduler;
  const kubeConfig = deps.kubeConfig ?? loadKubeConfig(config);
  const credential = deps.credential ?? createAzureCredential(config.azure);
  const dataHashKey = await loadDataHashKey(config, kubeConfig, logger);
  const events = createAgentEvents();
  const index = new AkvsIndex();
  const hints = new SyncHints();
  const readStates = new ReadStates();
  const metrics: AgentMetrics = new AgentMetrics((): number => workQueue.depth(), { defaultMetrics: true });
  const store = new KeyVaultObjectStore({
    credential,
    vaultUrl: (vault) => vaultUrlOf(config, vault),
    disableChallengeResourceVerification: config.keyVault.disableChallengeResourceVerification,
    maxRetries: config.keyVault.maxRetries,
    onRequest: (vault, operation, status) => metrics.keyVaultRequests.inc({ vault, operation, status: String(status) }),
  });
  const cluster = new KubeClusterApi(kubeConfig, clock, dataHashKey);
  const reconciler = new Reconciler({
    index, store, cluster, clock, hints, readStates, events, logger, metrics,
    honourReloaderAnnotations: config.honourReloaderAnnotations,
    dataHashKey,
  });
  const workQueue: WorkQueue = new WorkQueue({
    handler: (key) => reconciler.reconcile(key),
    scheduler,
    concurrency: config.concurrency,
    onOutcome: (key, result, action) => logQueueOutcome(logger, key, result, action),
  });
  const informers = new AkvsInformerSet({ kubeConfig, namespaces: config.watchNamespaces, handlers: new AkvsWatchHandler(index, workQueue), scheduler, logger });
  const fallback = new FallbackCheck({ store, index, queue: workQueue, readStates, scheduler, logger, metrics, intervalMs: config.fallback.intervalMs, jitter: config.fallback.jitter });
  const isReady = (): boolean => informers.synced;
  const notificationDeps = { index, queue: workQueue, hints, cluster, status: new StatusWriter(cluster, index, clock), clock, logger, metrics };
  const intake = new NotificationIntake({
    keyring: config.keyring, clock, seen: new SeenEvents(clock), isReady, logger, metrics, events,
    accept: (n) => {
      handleNotification(n, notificationDeps).catch((error: unknown) =>
        logger.warn({ eventId: n.eventId, code: describeFailure(error).code }, 'could not surface notification'));
    },
  });

  const ops = fastify({ logger: false });
  await ops.register(opsRoutes, { isReady, registry: metrics.registry });
  const opsServer = serverComponent('ops-server', ops, config.metrics.host, config.metrics.port);
  let notifyServer: ServerComponent | undefined;
  if (config.notify.enabled && config.notify.tls) {
    const notify = fastify({ logger: false, https: { cert: config.notify.tls.certPem, key: config.notify.tls.keyPem } });
    await notify.register(opsRoutes, { isReady, registry: metrics.registry });
    await notify.register(notifyRoute, { intake, logger });
    notifyServer = serverComponent('notify-server', notify, config.notify.host, config.notify.port);
  }
  const manager = new ComponentManager(alwaysLeader, logger)
    .add({ name: 'kube-connections', leaderOnly: false, start: async () => undefined, stop: () => cluster.close() })
    .add(opsServer);
  if (notifyServer) manager.add(notifyServer);
  if (config.queue) manager.add(queueConsumerComponent(config.queue, { intake, credential, kubeConfig, namespace: config.namespace, logger, registry: metrics.registry }));
  manager
    .add({ name: 'work-queue', leaderOnly: true, start: async () => undefined, stop: () => workQueue.stop() })
    .add({ name: 'informers', leaderOnly: true, start: () => informers.start(), stop: () => informers.stop() })
    .add({ name: 'fallback-check', leaderOnly: true, start: async () => fallback.start(), stop: () => fallback.stop() });
  await manager.start();

  const notifyUrl = notifyServer ? `https://${notifyServer.address()}${NOTIFICATION_PATH}` : '';
  const metricsUrl = `http://${opsServer.address()}/metrics`;
  logger.info({ notifyUrl, metricsUrl, crs: index.size }, 'agent started');
  return {
    notifyUrl,
    metricsUrl,
    events,
    runFallbackCheck: () => fallback.runOnce(),
    whenIdle: () => workQueue.whenIdle(),
    stop: () => manager.stop(),
  };
}

function logQueueOutcome(logger: Logger, key: string, result: ReconcileResult, action: QueueAction): void {
  if (action.action === 'requeue' && action.reason === 'backoff') {
    logger.info({ key, delayMs: action.delayMs, code: result.kind === 'error' ? describeFailure(result.error).code : undefined }, 'reconcile will be retried');
  } else if (action.action === 'drop') {
    logger.debug({ key, reason: action.reason }, 'reconcile failed; not retried');
  }
}

/** The key of every data hash: from AKVSYNC_DATA_HASH_KEY_FILE, else the key Secret in the agent's namespace (created when absent). */
async function loadDataHashKey(config: AgentConfig, kubeConfig: KubeConfig, logger: Logger): Promise<Uint8Array> {
  if (config.dataHashKey.source === 'file') return config.dataHashKey.key;
  const namespace = config.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  const ref = { namespace, name: config.dataHashKey.secretName };
  const { key, created } = await getOrCreateDataHashKey(kubeConfig.makeApiClient(CoreV1Api), ref);
  logger.info({ namespace, name: ref.name, created }, created ? 'data-hash key Secret created' : 'data-hash key Secret read');
  return key;
}

function loadKubeConfig(config: AgentConfig): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfigPath) kc.loadFromFile(config.kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}
