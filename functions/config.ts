/**
 * The Function app's configuration, parsed once at start-up from app settings into a frozen object. Errors name
 * the bad setting (and the cluster entry) and never quote key material.
 *
 *   AKVSYNC_CLUSTERS                      JSON array of clusters (see ClusterConfig and docs/functions.md)
 *   AKVSYNC_PUSH_TIMEOUT_MS               per push, default 5000
 *   AKVSYNC_STORAGE                       optional Storage connection string: Table dedupe shared by all instances,
 *                                         per-cluster retry and poison queues, queue-mode delivery. Without it: the
 *                                         in-memory dedupe store, Event Grid's own retry, push mode only
 *   AKVSYNC_RETRY_MAX_ATTEMPTS            push attempts before a notification is poisoned, default 8
 *   AKVSYNC_RETRY_BASE_SECONDS            first retry delay, doubled per attempt, default 30
 *   AKVSYNC_RETRY_MAX_SECONDS             longest retry delay, default 3600
 *   APPLICATIONINSIGHTS_CONNECTION_STRING optional; telemetry is off without it
 *   AKVSYNC_REGISTRY_KEYS                 optional: clusters that register themselves (see registry-config.ts); turns
 *                                         the Table-backed cluster registry on (needs AKVSYNC_STORAGE) and makes
 *                                         AKVSYNC_CLUSTERS optional
 *   AKVSYNC_SIGNING_KEYS_VAULT_URL        optional: registering clusters' keys read from this Key Vault (also turns
 *                                         the registry on); AKVSYNC_SIGNING_KEY_CACHE_SECONDS, default 300
 *   AKVSYNC_REGISTRY_STALE_MINUTES        a registered cluster without a heartbeat for this long is stale, default 10
 */
import { TerminalError } from '../core/errors.js';
import type { AppSettings } from './app-settings.js';
import { parseClusters, type ClusterConfig } from './cluster-config.js';
import { parseRegistryConfig, REGISTRY_KEYS_SETTING, registryRequested, type RegistryConfig } from './registry-config.js';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

export interface FunctionsConfig {
  readonly clusters: readonly ClusterConfig[];
  readonly pushTimeoutMs: number;
  /** The name of the app setting holding the Storage connection string (queue triggers name it), when set. */
  readonly storageSetting: typeof STORAGE_SETTING | undefined;
  /** Holds the account key: not enumerable, so the configuration never prints it. */
  readonly storageConnectionString: string | undefined;
  readonly retry: RetryPolicy;
  readonly applicationInsightsConnectionString: string | undefined;
  /** The cluster registry (AKVSYNC_REGISTRY_KEYS), when on. */
  readonly registry: RegistryConfig | undefined;
}

export const STORAGE_SETTING = 'AKVSYNC_STORAGE';

export type { AppSettings, ClusterConfig };

export const DEFAULT_PUSH_TIMEOUT_MS = 5000;
/** Event Grid waits 30 s for the endpoint's answer; a push must finish well inside that. */
const MAX_PUSH_TIMEOUT_MS = 25_000;

export class ConfigurationError extends TerminalError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('InvalidConfiguration', `invalid Function configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export function parseFunctionsConfig(settings: AppSettings): FunctionsConfig {
  const problems: string[] = [];
  const registry = parseRegistryConfig(settings, problems);
  const clusters = registryRequested(settings) && !settings.AKVSYNC_CLUSTERS?.trim() ? [] : parseClusters(settings, problems);
  const pushTimeoutMs = parsePushTimeout(settings.AKVSYNC_PUSH_TIMEOUT_MS, problems);
  const storage = settings[STORAGE_SETTING]?.trim() || undefined;
  if (storage !== undefined && !/(^|;)\s*(AccountName|QueueEndpoint|TableEndpoint)\s*=/i.test(storage)) {
    problems.push(`${STORAGE_SETTING}: not a Storage connection string (no AccountName=, QueueEndpoint= or TableEndpoint=)`);
  }
  for (const c of clusters) {
    if (c.delivery === 'queue' && storage === undefined) problems.push(`AKVSYNC_CLUSTERS ("${c.name}"): "delivery": "queue" needs ${STORAGE_SETTING}`);
  }
  if (registry !== undefined && storage === undefined) {
    problems.push(`${registry.keys.size > 0 ? REGISTRY_KEYS_SETTING : 'AKVSYNC_SIGNING_KEYS_VAULT_URL'}: the cluster registry needs ${STORAGE_SETTING}`);
  }
  for (const c of clusters) {
    if (registry?.keys.has(c.name)) problems.push(`${REGISTRY_KEYS_SETTING}: cluster "${c.name}" is also in AKVSYNC_CLUSTERS; a cluster is either configured or registered`);
  }
  const retry: RetryPolicy = Object.freeze({
    maxAttempts: wholeNumber(settings, 'AKVSYNC_RETRY_MAX_ATTEMPTS', 8, 1, 50, problems),
    baseSeconds: wholeNumber(settings, 'AKVSYNC_RETRY_BASE_SECONDS', 30, 1, 3600, problems),
    maxSeconds: wholeNumber(settings, 'AKVSYNC_RETRY_MAX_SECONDS', 3600, 1, 7 * 24 * 3600 - 1, problems),
  });
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || undefined;
  if (connectionString !== undefined && !/(^|;)\s*InstrumentationKey\s*=/i.test(connectionString)) {
    problems.push('APPLICATIONINSIGHTS_CONNECTION_STRING: not a connection string (no InstrumentationKey=)');
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  const config = {
    clusters: Object.freeze(clusters),
    pushTimeoutMs,
    storageSetting: storage === undefined ? undefined : STORAGE_SETTING,
    retry,
    applicationInsightsConnectionString: connectionString,
    registry,
  };
  Object.defineProperty(config, 'storageConnectionString', { value: storage, enumerable: false });
  return Object.freeze(config as FunctionsConfig);
}

function parsePushTimeout(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PUSH_TIMEOUT_MS;
  const value = /^\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value >= 100 && value <= MAX_PUSH_TIMEOUT_MS)) {
    problems.push(`AKVSYNC_PUSH_TIMEOUT_MS: must be whole milliseconds between 100 and ${MAX_PUSH_TIMEOUT_MS}`);
  }
  return value;
}

function wholeNumber(settings: AppSettings, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = settings[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) problems.push(`${name}: must be a whole number between ${min} and ${max}`);
  return value;
}
