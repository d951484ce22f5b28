import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAkvsyncError } from '../core/errors.js';
import { isDnsSubdomain } from '../core/crd/kubernetes-names.js';
import { checkLabelSelector } from '../core/crd/label-selector.js';
import { parseKeyring } from '../core/notification/keyring.js';
import { DATA_HASH_KEY_MIN_BYTES } from '../core/sync/data-hash.js';
import { parseQueueIntakeConfig, type QueueIntakeConfig } from './intake/queue-intake-config.js';
import { parseRegistrationConfig, type RegistrationConfig } from './registration/registration-config.js';
import { loadWebhookConfig, type WebhookConfig } from './webhook/webhook-config.js';
import { NO_POLICY_WARNING, loadTenancyConfig, type TenancyConfig } from './tenancy/tenancy-config.js';
import { ConfigError, envFromArgv, parseBool, parseDuration, parseHost, parseInteger, parseJsonMap, parseNumber, parseUrl } from './config-values.js';
import { defaultLeaseTimings, type LeaseTimings } from './adapters/lease-elector.js';

export { ConfigError } from './config-values.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AgentConfig {
  /** Path of a kubeconfig; undefined → in-cluster when running in a Pod, else the default kubeconfig. */
  readonly kubeconfigPath: string | undefined;
  /** The HTTPS notify endpoint (push mode). */
  readonly notify: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    readonly tls: { readonly certPem: string; readonly keyPem: string; readonly certFile: string; readonly keyFile: string } | undefined;
  };
  /** Queue mode: the cluster's Storage Queue the agent drains (cluster-agent/intake/queue-intake-config.ts); undefined when off. */
  readonly queue: QueueIntakeConfig | undefined;
  /** Registration and heartbeat with the Function's cluster registry (cluster-agent/registration/); undefined when off. */
  readonly registration: RegistrationConfig | undefined;
  /** Signing keys by key id (never logged). */
  readonly keyring: ReadonlyMap<string, Uint8Array>;
  /** The keyring's file (AKVSYNC_SIGNING_KEYS_FILE), re-read on change; undefined when given inline. */
  readonly keyringFile: string | undefined;
  /** How often the TLS certificate/key and keyring files are checked for a change (AKVSYNC_RELOAD_INTERVAL). */
  readonly reloadIntervalMs: number;
  /** Several replicas: a Lease in the agent's namespace elects the one that reconciles (docs/adr/0003-…). */
  readonly leaderElection: {
    readonly enabled: boolean;
    readonly leaseName: string;
    readonly identity: string;
    /** The Pod IP other replicas reach this one's notify port on (AKVSYNC_POD_IP); default: the notify listener's host. */
    readonly advertiseHost: string | undefined;
    /** AKVSYNC_LEADER_ELECTION_LEASE_DURATION / _RENEW_DEADLINE / _RETRY_PERIOD (client-go's 15 s / 10 s / 2 s). */
    readonly timings: LeaseTimings;
  };
  readonly keyVault: {
    /** `{vault}` is replaced by the vault name. */
    readonly urlTemplate: string;
    /** Per-vault overrides, by lower-case vault name. */
    readonly urls: Readonly<Record<string, string>>;
    readonly disableChallengeResourceVerification: boolean;
    readonly maxRetries: number;
  };
  readonly azure: {
    readonly tenantId: string | undefined;
    readonly clientId: string | undefined;
    readonly federatedTokenFile: string | undefined;
    readonly authorityHost: string | undefined;
    /** Development only; workload identity in production. */
    readonly clientSecret: string | undefined;
    readonly disableInstanceDiscovery: boolean;
  };
  readonly fallback: { readonly intervalMs: number; readonly jitter: number };
  /** Output lifecycle (docs/agent.md "Lifecycle"): owner references, and how hand edits are put back. */
  readonly outputs: OutputsConfig;
  /** Empty: every namespace. */
  readonly watchNamespaces: readonly string[];
  /**
   * Namespaces handed over from akv2k8s (AKVSYNC_AKV2K8S_NAMESPACES): there the agent also serves akv2k8s's own
   * `spv.no/v2beta1` AzureKeyVaultSecrets, unchanged (docs/migrate-from-akv2k8s.md). Empty: off.
   */
  readonly akv2k8sNamespaces: readonly string[];
  /** Serve only the CRs matching this label selector (akv2k8s's OBJECT_LABELS); undefined: every CR. */
  readonly objectLabelSelector: string | undefined;
  readonly honourReloaderAnnotations: boolean;
  /** Plain-HTTP /healthz, /readyz, /metrics. */
  readonly metrics: { readonly host: string; readonly port: number };
  readonly logLevel: LogLevel;
  readonly concurrency: number;
  /** The agent's own namespace; undefined → the kubeconfig context's (in a Pod: its service account's), else `default`. */
  readonly namespace: string | undefined;
  /**
   * Where the key for the data hash written to annotations and status (HMAC) comes from, so short values cannot be
   * guessed from it: a file, or (default) a Secret in the agent's namespace that the agent creates when absent.
   */
  readonly dataHashKey: DataHashKeySource;
  /** Access policy and per-namespace identity (docs/tenancy.md). */
  readonly tenancy: TenancyConfig;
  /** The env-injection webhook (its own HTTPS port); undefined when off (AKVSYNC_WEBHOOK_ENABLED). */
  readonly webhook: WebhookConfig | undefined;
  /** Warnings to print at start-up. */
  readonly warnings: readonly string[];
}

export type DataHashKeySource =
  | { readonly source: 'file'; readonly key: Uint8Array }
  | { readonly source: 'secret'; readonly secretName: string };

export const DEFAULT_DATA_HASH_KEY_SECRET = 'akvsync-data-hash-key';
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DEFAULT_FALLBACK_MS = 30 * 60_000;

/**
 * Parses the agent's settings once, from the environment with `--flag value` overrides (`--notify-port 8443` sets
 * AKVSYNC_NOTIFY_PORT), into a frozen object. Every error names the setting it is about. Files named by settings
 * (TLS, keyring, hash key) are read here, so a missing file fails start-up, not the first request.
 */
export function loadAgentConfig(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): AgentConfig {
  const e = { ...env, ...envFromArgv(argv) };
  const get = (name: string): string | undefined => {
    const v = e[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const file = (name: string): string | undefined => {
    const path = get(name);
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (error) {
      throw new ConfigError(name, `cannot read file ${path} (${(error as { code?: string }).code ?? 'error'})`);
    }
  };

  const notifyEnabled = parseBool('AKVSYNC_NOTIFY_ENABLED', get('AKVSYNC_NOTIFY_ENABLED'), true);
  const certPem = file('AKVSYNC_TLS_CERT_FILE');
  const keyPem = file('AKVSYNC_TLS_KEY_FILE');
  if (notifyEnabled && (certPem === undefined || keyPem === undefined)) {
    throw new ConfigError(certPem === undefined ? 'AKVSYNC_TLS_CERT_FILE' : 'AKVSYNC_TLS_KEY_FILE', 'is required: the notify endpoint serves HTTPS only (or set AKVSYNC_NOTIFY_ENABLED=false)');
  }
  if (certPem !== undefined && !certPem.includes('BEGIN CERTIFICATE')) throw new ConfigError('AKVSYNC_TLS_CERT_FILE', 'is not a PEM certificate');
  if (keyPem !== undefined && !/BEGIN [A-Z ]*PRIVATE KEY/.test(keyPem)) throw new ConfigError('AKVSYNC_TLS_KEY_FILE', 'is not a PEM private key');

  const queue = parseQueueIntakeConfig(get);
  const registration = parseRegistrationConfig(get, file, queue !== undefined);
  const keyring = loadKeyring(get('AKVSYNC_SIGNING_KEYS'), () => file('AKVSYNC_SIGNING_KEYS_FILE'), notifyEnabled || queue !== undefined || registration !== undefined);

  const urlTemplate = get('AKVSYNC_VAULT_URL_TEMPLATE') ?? 'https://{vault}.vault.azure.net';
  if (!urlTemplate.includes('{vault}')) throw new ConfigError('AKVSYNC_VAULT_URL_TEMPLATE', 'must contain {vault}');
  parseUrl('AKVSYNC_VAULT_URL_TEMPLATE', urlTemplate.replaceAll('{vault}', 'example'), ['https:']);
  const urls = Object.fromEntries(
    Object.entries(parseJsonMap('AKVSYNC_VAULT_URLS', get('AKVSYNC_VAULT_URLS'))).map(([vault, url]) => [
      vault.toLowerCase(),
      parseUrl(`AKVSYNC_VAULT_URLS.${vault}`, url, ['https:']).replace(/\/+$/, ''),
    ]),
  );

  const authorityHost = get('AZURE_AUTHORITY_HOST');
  if (authorityHost !== undefined) parseUrl('AZURE_AUTHORITY_HOST', authorityHost, ['https:']);
  const clientSecret = get('AZURE_CLIENT_SECRET');
  const federatedTokenFile = get('AZURE_FEDERATED_TOKEN_FILE');
  const tenantId = get('AZURE_TENANT_ID');
  const clientId = get('AZURE_CLIENT_ID');
  if ((clientSecret !== undefined || federatedTokenFile !== undefined) && (tenantId === undefined || clientId === undefined)) {
    throw new ConfigError(tenantId === undefined ? 'AZURE_TENANT_ID' : 'AZURE_CLIENT_ID', 'is required with AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE');
  }

  const logLevel = (get('AKVSYNC_LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('AKVSYNC_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const namespace = get('AKVSYNC_NAMESPACE');
  if (namespace !== undefined && !NAMESPACE_NAME.test(namespace)) throw new ConfigError('AKVSYNC_NAMESPACE', `"${namespace.slice(0, 70)}" is not a namespace name`);
  const dataHashKey = loadDataHashKeySource(file('AKVSYNC_DATA_HASH_KEY_FILE'), get('AKVSYNC_DATA_HASH_KEY_SECRET'));

  const watchNamespaces = namespaceList(get, 'AKVSYNC_WATCH_NAMESPACES');

  const akv2k8sNamespaces = namespaceList(get, 'AKVSYNC_AKV2K8S_NAMESPACES');
  const outside = akv2k8sNamespaces.find((ns) => watchNamespaces.length > 0 && !watchNamespaces.includes(ns));
  if (outside !== undefined) throw new ConfigError('AKVSYNC_AKV2K8S_NAMESPACES', `"${outside}" is not in AKVSYNC_WATCH_NAMESPACES (a handed-over namespace must be watched)`);

  const objectLabelSelector = parseObjectLabels(get);
  const tenancy = loadTenancyConfig(get, file);
  const warnings = tenancy.policy.source === 'none' ? [NO_POLICY_WARNING] : [];

  const config: AgentConfig = {
    kubeconfigPath: get('KUBECONFIG'),
    notify: {
      enabled: notifyEnabled,
      host: parseHost('AKVSYNC_NOTIFY_HOST', get('AKVSYNC_NOTIFY_HOST') ?? '0.0.0.0'),
      port: parseInteger('AKVSYNC_NOTIFY_PORT', get('AKVSYNC_NOTIFY_PORT'), 8443, 0, 65535),
      tls: certPem !== undefined && keyPem !== undefined
        ? Object.freeze({ certPem, keyPem, certFile: get('AKVSYNC_TLS_CERT_FILE') ?? '', keyFile: get('AKVSYNC_TLS_KEY_FILE') ?? '' })
        : undefined,
    },
    queue,
    registration,
    keyring,
    keyringFile: get('AKVSYNC_SIGNING_KEYS') === undefined ? get('AKVSYNC_SIGNING_KEYS_FILE') : undefined,
    reloadIntervalMs: parseDuration('AKVSYNC_RELOAD_INTERVAL', get('AKVSYNC_RELOAD_INTERVAL'), 30_000, 1000),
    leaderElection: {
      enabled: parseBool('AKVSYNC_LEADER_ELECTION', get('AKVSYNC_LEADER_ELECTION'), false),
      leaseName: leaseName(get('AKVSYNC_LEADER_ELECTION_LEASE') ?? 'akvsync-agent'),
      identity: get('AKVSYNC_POD_NAME') ?? get('HOSTNAME') ?? `akvsync-agent-${randomBytes(4).toString('hex')}`,
      advertiseHost: get('AKVSYNC_POD_IP') === undefined ? undefined : parseHost('AKVSYNC_POD_IP', get('AKVSYNC_POD_IP')!),
      timings: leaseTimings(get),
    },
    keyVault: {
      urlTemplate,
      urls,
      disableChallengeResourceVerification: parseBool('AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION', get('AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION'), false),
      maxRetries: parseInteger('AKVSYNC_KEYVAULT_MAX_RETRIES', get('AKVSYNC_KEYVAULT_MAX_RETRIES'), 3, 0, 10),
    },
    azure: {
      tenantId,
      clientId,
      federatedTokenFile,
      authorityHost,
      clientSecret,
      disableInstanceDiscovery: parseBool('AKVSYNC_DISABLE_INSTANCE_DISCOVERY', get('AKVSYNC_DISABLE_INSTANCE_DISCOVERY'), false),
    },
    fallback: {
      intervalMs: parseDuration('AKVSYNC_FALLBACK_INTERVAL', get('AKVSYNC_FALLBACK_INTERVAL'), DEFAULT_FALLBACK_MS, 1000),
      jitter: parseNumber('AKVSYNC_FALLBACK_JITTER', get('AKVSYNC_FALLBACK_JITTER'), 0.1, 0, 0.5),
    },
    outputs: {
      ownerReferences: parseBool('AKVSYNC_OUTPUT_OWNER_REFERENCES', get('AKVSYNC_OUTPUT_OWNER_REFERENCES'), false),
      driftRepair: parseBool('AKVSYNC_DRIFT_REPAIR', get('AKVSYNC_DRIFT_REPAIR'), true),
      repairBurst: parseInteger('AKVSYNC_DRIFT_REPAIR_BURST', get('AKVSYNC_DRIFT_REPAIR_BURST'), 3, 1, 100),
      repairIntervalMs: parseDuration('AKVSYNC_DRIFT_REPAIR_INTERVAL', get('AKVSYNC_DRIFT_REPAIR_INTERVAL'), 10_000, 100),
    },
    watchNamespaces,
    akv2k8sNamespaces,
    objectLabelSelector,
    honourReloaderAnnotations: parseBool('AKVSYNC_HONOUR_RELOADER', get('AKVSYNC_HONOUR_RELOADER'), true),
    metrics: {
      host: parseHost('AKVSYNC_METRICS_HOST', get('AKVSYNC_METRICS_HOST') ?? '0.0.0.0'),
      port: parseInteger('AKVSYNC_METRICS_PORT', get('AKVSYNC_METRICS_PORT'), 8080, 0, 65535),
    },
    logLevel,
    concurrency: parseInteger('AKVSYNC_CONCURRENCY', get('AKVSYNC_CONCURRENCY'), 8, 1, 256),
    namespace,
    dataHashKey,
    tenancy,
    webhook: loadWebhookConfig(get, file),
    warnings,
  };
  return deepFreeze(config);
}

/** The Lease timings; as client-go requires, lease duration > renew deadline > retry period. */
function leaseTimings(get: (name: string) => string | undefined): LeaseTimings {
  const leaseDurationMs = parseDuration('AKVSYNC_LEADER_ELECTION_LEASE_DURATION', get('AKVSYNC_LEADER_ELECTION_LEASE_DURATION'), defaultLeaseTimings.leaseDurationMs, 1000);
  const renewDeadlineMs = parseDuration('AKVSYNC_LEADER_ELECTION_RENEW_DEADLINE', get('AKVSYNC_LEADER_ELECTION_RENEW_DEADLINE'), defaultLeaseTimings.renewDeadlineMs, 500);
  const retryPeriodMs = parseDuration('AKVSYNC_LEADER_ELECTION_RETRY_PERIOD', get('AKVSYNC_LEADER_ELECTION_RETRY_PERIOD'), defaultLeaseTimings.retryPeriodMs, 100);
  if (renewDeadlineMs >= leaseDurationMs) throw new ConfigError('AKVSYNC_LEADER_ELECTION_RENEW_DEADLINE', 'must be shorter than AKVSYNC_LEADER_ELECTION_LEASE_DURATION');
  if (retryPeriodMs >= renewDeadlineMs) throw new ConfigError('AKVSYNC_LEADER_ELECTION_RETRY_PERIOD', 'must be shorter than AKVSYNC_LEADER_ELECTION_RENEW_DEADLINE');
  return Object.freeze({ leaseDurationMs, renewDeadlineMs, retryPeriodMs });
}

export interface OutputsConfig {
  /** Owner references from outputs to their CRs (garbage collection as a backstop); default off, so deleting the CRD deletes no Secret. */
  readonly ownerReferences: boolean;
  /** Watch the managed outputs and put hand edits and deletions back. */
  readonly driftRepair: boolean;
  /** Repairs of one output allowed at once (token bucket size) … */
  readonly repairBurst: number;
  /** … and one more each this long. */
  readonly repairIntervalMs: number;
}

/** A comma list of namespace names (empty when unset). */
function namespaceList(get: (name: string) => string | undefined, name: string): string[] {
  const list = (get(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const ns of list) {
    if (!NAMESPACE_NAME.test(ns)) throw new ConfigError(name, `"${ns.slice(0, 70)}" is not a namespace name`);
  }
  return list;
}

/** AKVSYNC_OBJECT_LABELS, or akv2k8s's OBJECT_LABELS (so its chart values work as they are): a label selector. */
function parseObjectLabels(get: (name: string) => string | undefined): string | undefined {
  const name = get('AKVSYNC_OBJECT_LABELS') !== undefined ? 'AKVSYNC_OBJECT_LABELS' : 'OBJECT_LABELS';
  const raw = get(name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const checked = checkLabelSelector(raw);
  if (!checked.ok) throw new ConfigError(name, `is not a label selector: ${checked.reason}`);
  return checked.selector;
}

/** The URL of a vault: a per-vault override, else the template. */
export function vaultUrlOf(config: AgentConfig, vault: string): string {
  const v = vault.toLowerCase();
  return config.keyVault.urls[v] ?? config.keyVault.urlTemplate.replaceAll('{vault}', v);
}

function loadKeyring(inline: string | undefined, fromFile: () => string | undefined, required: boolean): ReadonlyMap<string, Uint8Array> {
  const name = inline !== undefined ? 'AKVSYNC_SIGNING_KEYS' : 'AKVSYNC_SIGNING_KEYS_FILE';
  const json = inline ?? fromFile();
  if (json === undefined) {
    if (required) throw new ConfigError('AKVSYNC_SIGNING_KEYS_FILE', 'is required (or AKVSYNC_SIGNING_KEYS): the notify endpoint verifies every notification');
    return new Map();
  }
  try {
    return parseKeyring(json);
  } catch (error) {
    throw new ConfigError(name, isAkvsyncError(error) ? error.message : 'is not a valid keyring');
  }
}

function loadDataHashKeySource(fileText: string | undefined, secretName: string | undefined): DataHashKeySource {
  if (fileText !== undefined) {
    if (secretName !== undefined) throw new ConfigError('AKVSYNC_DATA_HASH_KEY_SECRET', 'cannot be used with AKVSYNC_DATA_HASH_KEY_FILE (set one)');
    const key = new Uint8Array(Buffer.from(fileText.trim(), 'base64'));
    if (key.byteLength < DATA_HASH_KEY_MIN_BYTES) throw new ConfigError('AKVSYNC_DATA_HASH_KEY_FILE', `must hold at least ${DATA_HASH_KEY_MIN_BYTES} bytes, base64-encoded`);
    return { source: 'file', key };
  }
  const name = secretName ?? DEFAULT_DATA_HASH_KEY_SECRET;
  if (!isDnsSubdomain(name)) throw new ConfigError('AKVSYNC_DATA_HASH_KEY_SECRET', `"${name.slice(0, 70)}" is not a Secret name`);
  return { source: 'secret', secretName: name };
}

function leaseName(name: string): string {
  if (!isDnsSubdomain(name)) throw new ConfigError('AKVSYNC_LEADER_ELECTION_LEASE', `"${name.slice(0, 70)}" is not a Lease name`);
  return name;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof Map) && !ArrayBuffer.isView(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
