/**
 * The composition root of the Function app: configuration parsed once from the app settings, the routing table
 * compiled once from it, the signer (per-cluster keys from settings or Key Vault, signing per attempt) and the adapters behind the routing
 * service's ports (push or queue sink by the cluster's delivery mode; the Table dedupe store when AKVSYNC_STORAGE is set, else the in-memory one; wall clock;
 * telemetry).
 */
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { Clock } from '../core/ports/clock.js';
import { NotificationSigner } from '../core/notification/notification-signer.js';
import { RoutingTable } from '../core/routing/routing-table.js';
import { createTelemetry } from './adapters/application-insights-telemetry.js';
import { DeliveryModeSink } from './adapters/delivery-mode-sink.js';
import { HttpsNotificationSink } from './adapters/https-notification-sink.js';
import { StorageQueueSink } from './adapters/storage-queue-sink.js';
import { InMemoryDedupeStore } from './adapters/in-memory-dedupe-store.js';
import { StorageRetryQueue } from './adapters/storage-retry-queue.js';
import { TableDedupeStore } from './adapters/table-dedupe-store.js';
import { TableClusterRegistry } from './adapters/table-cluster-registry.js';
import { TableNonceStore } from './adapters/table-nonce-store.js';
import { RegisteredClusterSink } from './adapters/registered-cluster-sink.js';
import { REGISTERED_RETRY_QUEUE, retryQueueName } from './cluster-queues.js';
import { REGISTRY_TABLE } from '../core/registry/registry-rows.js';
import { DEDUPE_TABLE, storageClients, type StorageClients } from './storage-clients.js';
import { systemClock } from './adapters/system-clock.js';
import { KeyVaultSigningKeys } from './adapters/key-vault-signing-keys.js';
import { ClusterSigningKeys } from './cluster-signing-keys.js';
import type { SigningKeyVaultConfig } from './registry-config.js';
import { parseFunctionsConfig, type FunctionsConfig } from './config.js';
import type { Telemetry } from './ports/telemetry.js';
import type { RouteDependencies } from './route-key-vault-events.js';

export interface FunctionRuntime {
  readonly config: FunctionsConfig;
  /** Everything the routing service needs but the per-invocation logger. */
  readonly routing: Omit<RouteDependencies, 'log'>;
  /** The shared Table dedupe store when AKVSYNC_STORAGE is set (its cleanup timer needs it). */
  readonly tableDedupe: TableDedupeStore | undefined;
  /** The per-cluster retry and poison queues when AKVSYNC_STORAGE is set (the retry triggers need it). */
  readonly retryQueue: StorageRetryQueue | undefined;
  /** The cluster registry and its replay guard, when AKVSYNC_REGISTRY_KEYS or AKVSYNC_SIGNING_KEYS_VAULT_URL is set. */
  readonly registry: { readonly clusters: TableClusterRegistry; readonly nonces: TableNonceStore } | undefined;
  /** Every cluster's signing key (app settings, or Key Vault for registered clusters). */
  readonly keys: ClusterSigningKeys;
  /** The Storage clients when AKVSYNC_STORAGE is set. */
  readonly storage: StorageClients | undefined;
  /** Flushes telemetry and closes idle connections. */
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  readonly clock?: Clock;
  readonly telemetry?: Telemetry;
}

export async function createFunctionRuntime(config: FunctionsConfig, overrides: RuntimeOverrides = {}): Promise<FunctionRuntime> {
  const clock = overrides.clock ?? systemClock;
  const telemetry = overrides.telemetry ?? (await createTelemetry(config.applicationInsightsConnectionString));
  const pushTargets = config.clusters.flatMap((c) => (c.pushUrl !== undefined ? [{ name: c.name, pushUrl: c.pushUrl, caPem: c.caPem }] : []));
  const pushSink = new HttpsNotificationSink({ targets: pushTargets, timeoutMs: config.pushTimeoutMs });
  const keys = new ClusterSigningKeys(
    new Map([...config.clusters.map((c) => [c.name, c.signingKey] as const), ...(config.registry?.keys ?? [])]),
    config.registry?.keyVault && keyVaultSigningKeys(config.registry.keyVault, clock),
  );
  const signer = new NotificationSigner((cluster) => keys.current(cluster), clock);
  const storage = config.storageConnectionString === undefined ? undefined : storageClients(config.storageConnectionString);
  const tableDedupe = storage && new TableDedupeStore({ table: storage.table(DEDUPE_TABLE), clock });
  await tableDedupe?.ensureTable();
  const registryTable = storage && config.registry && storage.table(REGISTRY_TABLE);
  const registry = registryTable && config.registry && { clusters: new TableClusterRegistry(registryTable, config.registry.staleAfterMs), nonces: new TableNonceStore(registryTable) };
  await registry?.clusters.ensureTable();
  const dedupe = tableDedupe ?? new InMemoryDedupeStore({ clock });
  const queueClusters = config.clusters.filter((c) => c.delivery === 'queue');
  const queueSink = storage && (queueClusters.length > 0 || registry) ? new StorageQueueSink(storage, new Map(queueClusters.map((c) => [c.name, c.queueName]))) : undefined;
  const configuredSink = new DeliveryModeSink(new Map(config.clusters.map((c) => [c.name, c.delivery])), { push: pushSink, ...(queueSink ? { queue: queueSink } : {}) });
  const sink = registry && queueSink
    ? new RegisteredClusterSink({ configured: configuredSink, configuredNames: new Set(config.clusters.map((c) => c.name)), registry: registry.clusters, push: pushSink, queue: queueSink, clock })
    : configuredSink;
  const configuredNames = new Set(config.clusters.map((c) => c.name));
  const registered = (c: string): boolean => config.registry !== undefined && !configuredNames.has(c);
  const retryQueue = storage && new StorageRetryQueue(storage, (c) => (registered(c) ? REGISTERED_RETRY_QUEUE : retryQueueName(c)));
  const pushClusters = new Set(pushTargets.map((t) => t.name));
  // A registered cluster's mode is known only per delivery; a queue-mode one's failed enqueue is re-enqueued by the retry trigger.
  const retry = retryQueue && { queue: retryQueue, policy: config.retry, appliesTo: (c: string) => pushClusters.has(c) || registered(c), jitter: Math.random };
  return {
    config,
    keys,
    tableDedupe,
    registry,
    storage,
    retryQueue,
    routing: { clusters: new RoutingTable(config.clusters), signer, sink, dedupe, clock, telemetry, ...(retry ? { retry } : {}), ...(registry ? { registry: registry.clusters } : {}) },
    async close() {
      pushSink.close();
      await telemetry.flush();
    },
  };
}

/** Registered clusters' keys from Key Vault, read with the Function's identity (managed identity in Azure; AZURE_* locally). */
function keyVaultSigningKeys(vault: SigningKeyVaultConfig, clock: Clock): KeyVaultSigningKeys {
  const credential = new DefaultAzureCredential({ disableInstanceDiscovery: vault.disableInstanceDiscovery });
  const secrets = new SecretClient(vault.url, credential, { disableChallengeResourceVerification: vault.disableChallengeResourceVerification });
  return new KeyVaultSigningKeys({ secrets, clock, ttlMs: vault.cacheTtlMs });
}

let processRuntime: Promise<FunctionRuntime> | undefined;

/** The runtime built from this process's app settings, once. */
export function functionRuntime(): Promise<FunctionRuntime> {
  processRuntime ??= Promise.resolve().then(() => createFunctionRuntime(parseFunctionsConfig(process.env)));
  return processRuntime;
}
