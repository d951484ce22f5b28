import type { TokenCredential } from '@azure/identity';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { fastify } from 'fastify';
import type * as https from 'node:https';
import type { Logger } from 'pino';
import { NOTIFICATION_PATH } from '../core/notification/notification.js';
import type { Clock } from '../core/ports/clock.js';
import { dataHashKeyId } from '../core/sync/data-hash.js';
import type { AzureKeyVaultSecret } from '../core/crd/azure-key-vault-secret.js';
import { AkvsInformerSet } from './adapters/akvs-informer.js';
import { akv2k8sComponent, servedGroupsIn } from './akv2k8s/akv2k8s-component.js';
import { registerAkv2k8sConditionMetric } from './akv2k8s/akv2k8s-condition-metric.js';
import { akv2k8sWatchHandlers } from './akv2k8s/akv2k8s-watch-handlers.js';
import { createAzureCredential } from './adapters/azure-credential.js';
import { servedWorkloadKinds } from './adapters/served-kind.js';
import { FileReloader } from './adapters/file-reloader.js';
import type { ReloadTarget } from './adapters/file-reloader.js';
import { getOrCreateDataHashKey } from './adapters/data-hash-key-secret.js';
import { KeyVaultObjectStore } from './adapters/key-vault-object-store.js';
import { KubeClusterApi } from './adapters/kube-cluster-api.js';
import { OutputInformers } from './adapters/output-informers.js';
import { LeaseElector } from './adapters/lease-elector.js';
import { createAgentEvents } from './agent-events.js';
import type { AgentEvents } from './agent-events.js';
import { vaultUrlOf } from './config.js';
import type { AgentConfig } from './config.js';
import { AkvsIndex } from './controller/akvs-index.js';
import { AkvsWatchHandler } from './controller/akvs-watch-handler.js';
import { CatchUp } from './controller/catch-up.js';
import { FallbackCheck } from './controller/fallback-check.js';
import { forgetUnreferenced } from './controller/forget-unreferenced.js';
import { parseKey } from './controller/object-key.js';
import type { FallbackCheckReport } from './controller/fallback-check.js';
import { handleNotification } from './controller/notification-handler.js';
import type { QueueAction, ReconcileResult } from './controller/queue-action.js';
import { LatestReads } from './controller/latest-reads.js';
import { OutputDrift } from './controller/output-drift.js';
import { OutputLifecycle } from './controller/output-lifecycle.js';
import { ReadStates } from './controller/read-state.js';
import { ReconcileRequests } from './controller/reconcile-requests.js';
import { Reconciler } from './controller/reconcile.js';
import { StatusWriter } from './controller/status-writer.js';
import { SyncHints } from './controller/sync-hints.js';
import { WorkQueue } from './controller/work-queue.js';
import { describeFailure } from './error-policy.js';
import { createNotifyServer } from './http/notify-server.js';
import { opsRoutes } from './http/ops-routes.js';
import { serverComponent } from './http/server-component.js';
import type { ServerComponent } from './http/server-component.js';
import { LeaderHandOff } from './intake/leader-hand-off.js';
import { NotificationIntake } from './intake/notification-intake.js';
import { ParkedNotifications } from './intake/parked-notifications.js';
import { SeenEvents } from './intake/seen-events.js';
import { queueConsumerComponent } from './intake/queue-consumer-component.js';
import { RegistrationClient } from './registration/registration-client.js';
import { registrationComponent } from './registration/registration-component.js';
import { keyringReloadTarget, tlsReloadTarget } from './reload-targets.js';
import { createLogger } from './logger.js';
import { alwaysLeader } from './manager/component.js';
import type { LeaderElector } from './manager/component.js';
import { ComponentManager } from './manager/component-manager.js';
import { AgentMetrics } from './metrics.js';
import { systemScheduler } from './ports/scheduler.js';
import type { Scheduler } from './ports/scheduler.js';
import { createTenancy } from './tenancy/tenancy.js';
import { webhookComponent } from './webhook/webhook-component.js';
import { MUTATE_PATH } from './webhook/webhook-server.js';

export interface AgentDeps {
  readonly kubeConfig?: KubeConfig;
  readonly credential?: TokenCredential;
  readonly clock?: Clock;
  /** Timers as well as time (tests); defaults to the clock plus real timers. */
  readonly scheduler?: Scheduler;
  readonly logger?: Logger;
  /** Called when this replica lost leadership and stopped its leader-only components (main.ts exits, to restart). */
  readonly onLostLeadership?: () => void;
}

export interface RunningAgent {
  /** https://…/v1/notifications, or '' when the notify endpoint is disabled. */
  readonly notifyUrl: string;
  /** https://…/mutate of the env-injection webhook, or '' when it is off. */
  readonly webhookUrl: string;
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
 * the CR informers, the fallback check and (with AKVSYNC_REGISTRATION_URL) the registration with the Function's cluster
 * registry. Leader election is a seam (`alwaysLeader` until a Lease elector exists).
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
  const storeWith = (readAs: TokenCredential, identity?: string): KeyVaultObjectStore => new KeyVaultObjectStore({
    credential: readAs,
    ...(identity ? { identity } : {}),
    vaultUrl: (vault) => vaultUrlOf(config, vault),
    disableChallengeResourceVerification: config.keyVault.disableChallengeResourceVerification,
    maxRetries: config.keyVault.maxRetries,
    onRequest: (vault, operation, status) => metrics.keyVaultRequests.inc({ vault, operation, status: String(status) }),
  });
  const store = storeWith(credential);
  const tenancy = createTenancy({ config, kubeConfig, scheduler, logger, agentStore: store, storeWith, requeueAll: () => index.keys().forEach((k) => requests.add(k)),
    requeueNamespace: (ns) => index.keys().filter((k) => index.crsFor(k).some((cr) => cr.metadata.namespace === ns)).forEach((k) => requests.add(k)),
  });
  const workloadKinds = await servedWorkloadKinds(kubeConfig);
  if (workloadKinds.includes('Rollout')) logger.info('Argo Rollouts installed: opted-in Rollouts are restarted with spec.restartAt');
  const cluster = new KubeClusterApi(kubeConfig, clock, dataHashKey, undefined, workloadKinds, (kind, code) =>
    logger.warn({ kind, code }, `cannot list ${kind}s (no rights: RBAC feature argo-rollouts off; or the CRD was removed): ${kind}s are not restarted until the agent restarts`));
  const requests: ReconcileRequests = new ReconcileRequests({ add: (key) => workQueue.add(key) });
  const latestReads = new LatestReads();
  const lifecycle = new OutputLifecycle({ cluster, index, queue: requests, logger });
  const reconciler = new Reconciler({
    index, store, cluster, clock, hints, readStates, events, logger, metrics, requests, latestReads,
    honourReloaderAnnotations: config.honourReloaderAnnotations,
    dataHashKey,
    access: tenancy.gate,
    lifecycle,
    outputOwnerReferences: config.outputs.ownerReferences,
    ...(config.akv2k8sNamespaces.length > 0 ? { servedGroups: servedGroupsIn(config.akv2k8sNamespaces) } : {}),
  });
  const workQueue: WorkQueue = new WorkQueue({
    handler: (key) => reconciler.reconcile(key),
    scheduler,
    concurrency: config.concurrency,
    onOutcome: (key, result, action) => logQueueOutcome(logger, key, result, action),
  });
  const forget = forgetUnreferenced({ index, readStates, store, latestReads });
  const onUnreferenced = (key: string): void => {
    forget(key);
    const vault = parseKey(key);
    if (vault?.kind === 'object' && !index.isVaultReferenced(vault.ref.vault)) tenancy.forgetVault(vault.ref.vault);
  };
  // A replica that starts leading holds what the informers' first list enqueues and reads only what moved (catch-up).
  const catchUp = new CatchUp({ store, index, queue: requests, readStates, logger, dataHashKeyId: dataHashKeyId(dataHashKey), permitted: (crs) => tenancy.gate.permitted(crs) });
  const watchHandler = new AkvsWatchHandler(index, catchUp, onUnreferenced, lifecycle);
  // akv2k8s's spv.no objects in handed-over namespaces join the same index (docs/migrate-from-akv2k8s.md).
  const akv2k8s = config.akv2k8sNamespaces.length > 0 ? akv2k8sWatchHandlers(watchHandler, index, logger) : undefined;
  const informers = new AkvsInformerSet({ kubeConfig, namespaces: config.watchNamespaces, labelSelector: config.objectLabelSelector, handlers: akv2k8s?.akvsync ?? watchHandler, scheduler, logger });
  const drift = config.outputs.driftRepair
    ? new OutputDrift({ index, queue: requests, scheduler, logger, metrics, burst: config.outputs.repairBurst, intervalMs: config.outputs.repairIntervalMs })
    : undefined;
  const outputInformers = drift
    ? new OutputInformers({ kubeConfig, namespaces: config.watchNamespaces, dataHashKey, scheduler, logger, handlers: { changed: (o) => drift.seen(o), deleted: (ref) => drift.gone(ref) } })
    : undefined;
  const fallback = new FallbackCheck({ store, index, queue: requests, readStates, scheduler, logger, metrics, intervalMs: config.fallback.intervalMs, jitter: config.fallback.jitter });
  // Readiness: one replica — the CR informer (and, with drift repair, the output informers) has synced; several — this
  // replica serves (leader or not).
  const isReady = (): boolean => (config.leaderElection.enabled ? manager.isServing : informers.synced && (outputInformers?.synced ?? true));
  const notificationDeps = {
    index, queue: requests, hints, cluster, status: new StatusWriter(cluster, index, clock), clock, logger, metrics,
    permitted: (crs: readonly AzureKeyVaultSecret[]) => tenancy.gate.permitted(crs),
  };
  const intake = new NotificationIntake({
    // Notifications need the CR index: a replica that does not lead answers 503 (the sender retries; ADR 0003).
    keyring: config.keyring, clock, seen: new SeenEvents(clock), isReady: () => informers.synced, logger, metrics, events,
    accept: (n) => {
      handleNotification(n, notificationDeps).catch((error: unknown) =>
        logger.warn({ eventId: n.eventId, code: describeFailure(error).code }, 'could not surface notification'));
    },
  });

  const ops = fastify({ logger: false });
  await ops.register(opsRoutes, { isReady, registry: metrics.registry });
  const opsServer = serverComponent('ops-server', ops, config.metrics.host, config.metrics.port);
  let notifyServer: ServerComponent | undefined;
  const { leaderElection } = config;
  const lease = leaderElection.enabled
    ? new LeaseElector({
      kubeConfig, namespace: agentNamespace(config, kubeConfig), name: leaderElection.leaseName, identity: leaderElection.identity, scheduler, logger, timings: leaderElection.timings,
      advertiseAddress: () => advertisedAddress(notifyServer?.address(), leaderElection.advertiseHost),
    })
    : undefined;
  const elector: LeaderElector = lease ?? alwaysLeader;
  const reloadTargets: ReloadTarget[] = [];
  let handOff: LeaderHandOff | undefined;
  let parking: ParkedNotifications | undefined;
  if (config.notify.enabled && config.notify.tls) {
    let servedCert = config.notify.tls.certPem;
    handOff = lease ? new LeaderHandOff({ leaderAddress: () => lease.leaderAddress, certPem: () => servedCert }) : undefined;
    const leaderHandOff = handOff;
    parking = lease && leaderHandOff
      ? new ParkedNotifications({
        scheduler, logger, metrics,
        canTake: () => lease.isLeader && intake.ready,
        take: (signed) => intake.receive(signed, 'queue'),
        forward: (signed) => leaderHandOff.forward(signed),
        leaderKnown: () => leaderHandOff.active,
      })
      : undefined;
    const notify = await createNotifyServer({ tls: config.notify.tls, intake, isReady, logger, handOff, parking });
    reloadTargets.push(tlsReloadTarget(notify.server as https.Server, config.notify.tls.certFile, config.notify.tls.keyFile, (cert) => void (servedCert = cert)));
    notifyServer = serverComponent('notify-server', notify, config.notify.host, config.notify.port);
  }
  // The keyring verifies pushes and queue messages and signs registrations: reloaded whichever of them is on.
  if (config.keyringFile) reloadTargets.push(keyringReloadTarget(intake, config.keyringFile));
  const manager: ComponentManager = new ComponentManager(elector, logger, deps.onLostLeadership)
    .add({ name: 'kube-connections', leaderOnly: false, start: async () => undefined, stop: () => cluster.close() })
    .add(opsServer);
  if (notifyServer) manager.add(notifyServer);
  const webhookServer = config.webhook
    ? await webhookComponent({
      config: config.webhook, kubeConfig, access: tenancy.gate, credential, metrics, logger, scheduler, watchNamespaces: config.watchNamespaces,
      settings: { agentNamespace: agentNamespace(config, kubeConfig), vaultUrlTemplate: config.keyVault.urlTemplate, vaultUrls: config.keyVault.urls },
    })
    : undefined;
  if (webhookServer) {
    manager.add(webhookServer);
    reloadTargets.push(...webhookServer.tlsReload.reloadTargets);
    for (const component of webhookServer.tlsReload.components) manager.add(component);
  }
  if (handOff) manager.add({ name: 'leader-hand-off', leaderOnly: false, start: async () => undefined, stop: async () => handOff?.close() });
  if (tenancy.reloadTarget) reloadTargets.push(tenancy.reloadTarget);
  if (parking) manager.add({ name: 'parked-notifications', leaderOnly: false, start: async () => parking?.start(), stop: async () => parking?.stop() });
  if (reloadTargets.length > 0) manager.add(new FileReloader({ targets: reloadTargets, scheduler, intervalMs: config.reloadIntervalMs, logger }));
  manager.add({ name: 'work-queue', leaderOnly: true, start: async () => undefined, stop: () => workQueue.stop() });
  if (tenancy.component) manager.add(tenancy.component); // policies and namespace labels listed before any CR is judged
  if (config.queue) manager.add(queueConsumerComponent(config.queue, { intake, credential, kubeConfig, namespace: config.namespace, logger, registry: metrics.registry }));
  manager
    .add({ name: 'informers', leaderOnly: true, start: () => {
      catchUp.hold();
      return informers.start();
    }, stop: () => informers.stop() });
  if (drift && outputInformers) {
    manager.add({ name: 'output-informers', leaderOnly: true, start: () => outputInformers.start(), stop: async () => {
      drift.stop();
      await outputInformers.stop();
    } });
  }
  if (akv2k8s) {
    registerAkv2k8sConditionMetric(metrics.registry, index);
    manager.add(akv2k8sComponent({ kubeConfig, namespaces: config.akv2k8sNamespaces, labelSelector: config.objectLabelSelector, handlers: akv2k8s.akv2k8s, scheduler, logger }));
  }
  manager
    .add({ name: 'catch-up', leaderOnly: true, start: async () => void (await catchUp.release()), stop: async () => undefined })
    .add({ name: 'fallback-check', leaderOnly: true, start: async () => fallback.start(), stop: () => fallback.stop() });
  if (config.registration) {
    manager.add(registrationComponent(config.registration, {
      client: new RegistrationClient({ config: config.registration, keyring: () => intake.currentKeyring(), clock }),
      objects: () => [...index.referencedObjects().values()].flat(),
      queueName: config.queue?.queueName,
      scheduler, logger, registry: metrics.registry,
    }));
  }
  await manager.start();

  const notifyUrl = notifyServer ? `https://${notifyServer.address()}${NOTIFICATION_PATH}` : '';
  const metricsUrl = `http://${opsServer.address()}/metrics`;
  logger.info({ notifyUrl, metricsUrl, crs: index.size }, 'agent started');
  return {
    notifyUrl,
    webhookUrl: webhookServer ? `https://${webhookServer.address()}${MUTATE_PATH}` : '',
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
  const namespace = agentNamespace(config, kubeConfig);
  const ref = { namespace, name: config.dataHashKey.secretName };
  const { key, created } = await getOrCreateDataHashKey(kubeConfig.makeApiClient(CoreV1Api), ref);
  logger.info({ namespace, name: ref.name, created }, created ? 'data-hash key Secret created' : 'data-hash key Secret read');
  return key;
}

/** `podIp:port` of the notify listener for the Lease (other replicas hand notifications there), or its bound address. */
function advertisedAddress(bound: string | undefined, podIp: string | undefined): string | undefined {
  if (bound === undefined || bound === '') return undefined;
  if (podIp === undefined) return bound;
  const port = bound.slice(bound.lastIndexOf(':') + 1);
  return podIp.includes(':') ? `[${podIp}]:${port}` : `${podIp}:${port}`;
}

/** The agent's own namespace: AKVSYNC_NAMESPACE, else the kubeconfig context's (in a Pod: its service account's). */
function agentNamespace(config: AgentConfig, kubeConfig: KubeConfig): string {
  return config.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
}

function loadKubeConfig(config: AgentConfig): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfigPath) kc.loadFromFile(config.kubeconfigPath);
  else kc.loadFromDefault();
  return kc;
}
