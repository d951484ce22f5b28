/**
 * The whole event path on the local stack, wired the way it runs in Azure: the Key Vault emulator emits Event Grid
 * events → the local Functions host runs the real Function app → signed HTTPS push → the real cluster agent (in this
 * process) → Secrets and rolling restarts on the local control plane. A fresh signing key is generated per start and
 * never written to disk. The data-hash key is the agent's default: a Secret it creates in its namespace when absent.
 * Optional recording proxies sit on the Event Grid → Function and Function → agent hops. Used by `npm run demo`, the end-to-end test and the latency benchmarks.
 */
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KubeConfig } from '@kubernetes/client-node';
import { startAgent, type RunningAgent } from '../../cluster-agent/agent.js';
import { loadAgentConfig, type LogLevel } from '../../cluster-agent/config.js';
import { createLogger } from '../../cluster-agent/logger.js';
import { startFunctionsHost, type FunctionsHost, type HostLogEntry } from '../functions-host/host.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../kv-emulator/emulator.js';
import { issueLoopbackServerCert, type TestCa } from '../local-stack/tls.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';

export const FUNCTION_NAME = 'keyVaultEvents';
export const CLUSTER_NAME = 'local';

export interface LocalPipelineOptions {
  readonly ca: TestCa;
  /** Admin access to the cluster the agent manages. */
  readonly kubeConfig: KubeConfig;
  readonly vaults: readonly string[];
  /** Namespaces the agent watches; empty or absent: all. */
  readonly watchNamespaces?: readonly string[];
  /** The agent's own namespace, where it keeps its data-hash key Secret (default: the first watched one, else `default`). */
  readonly agentNamespace?: string;
  /** Put recording proxies on the Event Grid → Function and Function → agent hops (default false). */
  readonly record?: boolean;
  readonly agentLogLevel?: LogLevel;
  /** Every agent log line (JSON); default: discarded. */
  readonly onAgentLog?: (line: string) => void;
  /** Every Functions host / app log entry; default: discarded. */
  readonly onFunctionsLog?: (entry: HostLogEntry) => void;
  /** Extra app settings for the Function app. */
  readonly functionsEnv?: Readonly<Record<string, string>>;
  /** Extra agent settings (environment variable names, e.g. AKVSYNC_CONCURRENCY). */
  readonly agentEnv?: Readonly<Record<string, string>>;
}

export interface LocalPipeline {
  readonly emulator: KeyVaultEmulator;
  readonly functionsHost: FunctionsHost;
  readonly agent: RunningAgent;
  /** Present with `record: true`. */
  readonly eventGridProxy: RecordingProxy | undefined;
  readonly pushProxy: RecordingProxy | undefined;
  /** Where the emulator delivers events (the proxy, when recording). */
  readonly eventGridUrl: string;
  /** The Function's own Event Grid webhook URL (behind the proxy, when recording). */
  readonly functionWebhookUrl: string;
  readonly signingKeyId: string;
  /** The Secret the agent keeps its data-hash key in (created when absent); undefined when agentEnv names a key file. */
  readonly dataHashKeySecret: { readonly namespace: string; readonly name: string } | undefined;
  /** A real SDK client for one of the emulator's vaults (the same credential the agent uses). */
  secretClient(vault: string): SecretClient;
  stop(): Promise<void>;
}

/** Makes this process trust the local CA (fetch, node:https and the Azure SDKs alike); idempotent. */
export function trustLocalCa(ca: TestCa): void {
  const current = tls.getCACertificates('default');
  if (!current.some((pem) => pem.trim() === ca.certPem.trim())) tls.setDefaultCACertificates([...current, ca.certPem]);
}

const discard = (): void => undefined;

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  trustLocalCa(options.ca);
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => process.stderr.write(`pipeline: stop step failed: ${(error as Error).message}\n`));
    }
  };
  try {
    const emulator = await startKeyVaultEmulator({ ca: options.ca, vaults: [...options.vaults] });
    cleanups.push(() => emulator.close());

    const agent = await startPipelineAgent(options, emulator);
    cleanups.push(() => agent.running.stop());

    const pushProxy = options.record ? await startRecordingProxy({ target: new URL(agent.running.notifyUrl).origin, ca: options.ca }) : undefined;
    if (pushProxy) cleanups.push(() => pushProxy.close());
    const pushUrl = pushProxy ? `${pushProxy.url}${new URL(agent.running.notifyUrl).pathname}` : agent.running.notifyUrl;

    const functionsHost = await startFunctionsHost({
      port: 0,
      onLog: options.onFunctionsLog ?? discard,
      env: {
        AKVSYNC_CLUSTERS: JSON.stringify([
          { name: CLUSTER_NAME, pushUrl, keyId: agent.keyId, signingKey: agent.keyBase64, caPem: options.ca.certPem, vaults: ['*'] },
        ]),
        APPLICATIONINSIGHTS_CONNECTION_STRING: '',
        ...options.functionsEnv,
      },
    });
    cleanups.push(() => functionsHost.close());
    const functionWebhookUrl = `${functionsHost.url}/runtime/webhooks/EventGrid?functionName=${FUNCTION_NAME}`;

    const eventGridProxy = options.record ? await startRecordingProxy({ target: functionsHost.url, ca: options.ca }) : undefined;
    if (eventGridProxy) cleanups.push(() => eventGridProxy.close());
    const eventGridUrl = eventGridProxy ? `${eventGridProxy.url}/runtime/webhooks/EventGrid?functionName=${FUNCTION_NAME}` : functionWebhookUrl;
    emulator.subscribe(eventGridUrl);
    // Stop sending first, and let deliveries in flight land before the receivers go away.
    cleanups.push(async () => {
      emulator.unsubscribe(eventGridUrl);
      await emulator.waitForDeliveries();
    });

    const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
      authorityHost: emulator.authorityHost,
      disableInstanceDiscovery: true,
    });
    const clients = new Map<string, SecretClient>();
    let stopping: Promise<void> | undefined;
    return {
      emulator,
      functionsHost,
      agent: agent.running,
      eventGridProxy,
      pushProxy,
      eventGridUrl,
      functionWebhookUrl,
      signingKeyId: agent.keyId,
      dataHashKeySecret: agent.dataHashKeySecret,
      secretClient(vault) {
        let client = clients.get(vault);
        if (!client) {
          client = new SecretClient(emulator.vaultUrl(vault), credential, { disableChallengeResourceVerification: true });
          clients.set(vault, client);
        }
        return client;
      },
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The agent with push delivery: a loopback HTTPS notify endpoint, a keyring of one fresh key, the emulator's vaults. */
async function startPipelineAgent(
  options: LocalPipelineOptions,
  emulator: KeyVaultEmulator,
): Promise<{ running: RunningAgent; keyId: string; keyBase64: string; dataHashKeySecret: { namespace: string; name: string } | undefined }> {
  const keyId = `local-${Date.now().toString(36)}`;
  const keyBase64 = randomBytes(32).toString('base64');
  const serverCert = issueLoopbackServerCert(options.ca);
  // Certificates and the keyring reach the agent through its config loader's file hook: nothing touches disk. No
  // AKVSYNC_DATA_HASH_KEY_FILE: the agent gets or creates its data-hash key Secret, as it does by default in production.
  const files: Record<string, string> = { 'mem:tls.crt': serverCert.certPem, 'mem:tls.key': serverCert.keyPem };
  const agentNamespace = options.agentNamespace ?? options.watchNamespaces?.[0] ?? 'default';
  const config = loadAgentConfig(
    {
      AKVSYNC_TLS_CERT_FILE: 'mem:tls.crt',
      AKVSYNC_TLS_KEY_FILE: 'mem:tls.key',
      AKVSYNC_SIGNING_KEYS: JSON.stringify({ [keyId]: keyBase64 }),
      AKVSYNC_NAMESPACE: agentNamespace,
      AKVSYNC_VAULT_URLS: JSON.stringify(Object.fromEntries(options.vaults.map((v) => [v, emulator.vaultUrl(v)]))),
      AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: emulator.clientId,
      AZURE_CLIENT_SECRET: emulator.clientSecret,
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'true',
      AKVSYNC_NOTIFY_HOST: '127.0.0.1',
      AKVSYNC_NOTIFY_PORT: '0',
      AKVSYNC_METRICS_HOST: '127.0.0.1',
      AKVSYNC_METRICS_PORT: '0',
      AKVSYNC_WATCH_NAMESPACES: (options.watchNamespaces ?? []).join(','),
      AKVSYNC_LOG_LEVEL: options.agentLogLevel ?? 'info',
      ...options.agentEnv,
    },
    [],
    (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error(`no file ${path}`), { code: 'ENOENT' });
      return content;
    },
  );
  const onLine = options.onAgentLog ?? discard;
  const logger = createLogger(config.logLevel, { write: (line: string) => void onLine(line) });
  const running = await startAgent(config, { kubeConfig: options.kubeConfig, logger });
  const { dataHashKey } = config;
  const dataHashKeySecret = dataHashKey.source === 'secret' ? { namespace: config.namespace ?? agentNamespace, name: dataHashKey.secretName } : undefined;
  return { running, keyId, keyBase64, dataHashKeySecret };
}
