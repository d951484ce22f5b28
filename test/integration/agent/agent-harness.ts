/**
 * Integration harness: the real agent (startAgent) against the jest run's kube-apiserver + controller-manager and a
 * Key Vault emulator of its own, with the real SDK credential. Every agent log line is captured.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ClientSecretCredential } from '@azure/identity';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, loadYaml, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { startAgent } from '../../../cluster-agent/agent.js';
import type { RunningAgent } from '../../../cluster-agent/agent.js';
import { loadAgentConfig } from '../../../cluster-agent/config.js';
import { createLogger } from '../../../cluster-agent/logger.js';
import type { AkvsSpec, AkvsStatus } from '../../../core/crd/azure-key-vault-secret.js';
import { NOTIFICATION_HEADERS } from '../../../core/notification/notification.js';
import type { Notification } from '../../../core/notification/notification.js';
import { signNotification } from '../../../core/notification/signature.js';
import { startKeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import type { KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import type { ClusterHelpers } from '../../../scripts/local-stack/cluster-access.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { createDeployment, reloadingDeployment, replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { getTestStack } from '../support/stack-client.js';
import { grantAgentRbac } from './agent-rbac-grant.js';
import type { AgentRbacGrant } from './agent-rbac-grant.js';

const CRD_PATH = new URL('../../../cluster-agent/manifests/akvsync.io_azurekeyvaultsecrets.yaml', import.meta.url);

export interface AgentHarness {
  readonly agent: RunningAgent;
  readonly emulator: KeyVaultEmulator;
  readonly namespaces: readonly string[];
  readonly logLines: string[];
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly signingKey: { keyId: string; key: Uint8Array };
  /** The agent's generated RBAC and the KubeConfig it runs with (undefined with `rbac: 'admin'`). */
  readonly rbac: AgentRbacGrant | undefined;
  /** The notify endpoint's certificate and key (another replica can be given the same, as one Secret would). */
  readonly serverCert: { certPem: string; keyPem: string };
  createAkvs(namespace: string, name: string, spec: AkvsSpec, extra?: { deletionPolicy?: 'Delete' | 'Retain' }): Promise<void>;
  getStatus(namespace: string, name: string): Promise<AkvsStatus | undefined>;
  readSecret(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** POSTs a signed notification to the agent (signature made now unless `timestamp` is given). */
  notify(n: Notification, options?: { timestamp?: number; key?: { keyId: string; key: Uint8Array }; body?: string }): Promise<Response>;
  notification(overrides: Partial<Notification> & Pick<Notification, 'objectName' | 'version'>): Notification;
  stop(): Promise<void>;
}

export async function applyCrd(): Promise<void> {
  const stack = await getTestStack();
  const objects = KubernetesObjectApi.makeApiClient(stack.kubeConfig);
  const crd = loadYaml<KubernetesObject>(readFileSync(CRD_PATH, 'utf8'));
  // Create once per jest run (a fresh apiserver); re-applying it from every test file would make the apiserver
  // rebuild the CRD's storage under the other files' agents.
  await objects.create(crd).catch((error: unknown) => {
    if ((error as { code?: number }).code !== 409) throw error;
  });
  await waitFor('CRD established', async () => {
    const got = await objects.read<KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } }>({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd.metadata?.name ?? '' },
    });
    return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
}

export interface AgentHarnessOptions {
  vaults?: string[];
  /** How many fresh namespaces to create and watch (default 1); the first is also the agent's own namespace. */
  namespaces?: number;
  env?: Record<string, string>;
  /** Watch these existing namespaces instead (kept on stop): a restarted agent sees the same cluster. */
  existingNamespaces?: readonly string[];
  /** Use this emulator instead of a new one (left running on stop): a restarted agent sees the same vault. */
  emulator?: KeyVaultEmulator;
  /** Where agent log lines go (default: a new array), so lines of an agent that failed to start can be read. */
  logLines?: string[];
  /**
   * Whose rights the agent runs with. Default `namespaces`: its ServiceAccount with exactly the generated rules for a
   * namespace list (Roles only), impersonated; `all-namespaces`: the generated ClusterRole instead; `admin`: system:masters.
   */
  rbac?: 'namespaces' | 'all-namespaces' | 'admin';
  /** `false`: no rights on Argo Rollouts (granted by default: the restart tests install the Rollout CRD). */
  argoRollouts?: boolean;
  /** The agent's own namespace (its ServiceAccount, the key Secret); default: the first watched namespace. */
  agentNamespace?: string;
  /** Another replica: the same signing key and notify certificate (as one mounted Secret would give both). */
  replicaOf?: AgentHarness;
  /** A control plane of the test's own (its CRDs installed at start) instead of the jest run's. */
  controlPlane?: ClusterHelpers & { readonly kubeConfig: KubeConfig };
}

/** Starts the agent; if it fails to start, whatever the harness created is removed again and the error is thrown. */
export async function startAgentHarness(options: AgentHarnessOptions = {}): Promise<AgentHarness> {
  const stack = await getTestStack();
  const cluster = options.controlPlane ?? stack;
  if (!options.controlPlane) await applyCrd();
  const vaults = options.vaults ?? ['kv1'];
  const emulator = options.emulator ?? (await startKeyVaultEmulator({ ca: stack.ca, vaults }));
  const namespaces: string[] = [...(options.existingNamespaces ?? [])];
  if (!options.existingNamespaces) for (let i = 0; i < (options.namespaces ?? 1); i++) namespaces.push(await cluster.createNamespace('agent'));
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const env = options.env ?? {};
  const rbacMode = options.rbac ?? 'namespaces';
  const agentNamespace = options.agentNamespace ?? namespaces[0] ?? '';
  // Another replica runs under the first one's ServiceAccount and grant (and leaves removing it to the first).
  const rbac = options.replicaOf ? options.replicaOf.rbac : rbacMode === 'admin' ? undefined : await grantAgentRbac(agentNamespace, namespaces, {
    allNamespaces: rbacMode === 'all-namespaces',
    dataHashKeyFromFile: env.AKVSYNC_DATA_HASH_KEY_FILE !== undefined,
    ...(env.AKVSYNC_DATA_HASH_KEY_SECRET ? { dataHashKeySecret: env.AKVSYNC_DATA_HASH_KEY_SECRET } : {}),
    ...(env.AKVSYNC_LEADER_ELECTION === 'true' ? { leaderElectionLease: env.AKVSYNC_LEADER_ELECTION_LEASE ?? 'akvsync-agent' } : {}),
    webhook: env.AKVSYNC_WEBHOOK_ENABLED === 'true',
    ...(env.AKVSYNC_WEBHOOK_ENABLED === 'true' && (env.AKVSYNC_WEBHOOK_TLS_MODE ?? (env.AKVSYNC_WEBHOOK_TLS_CERT_FILE ? 'files' : 'agent')) === 'agent'
      ? { webhookTls: { secret: env.AKVSYNC_WEBHOOK_TLS_SECRET ?? 'akvsync-webhook-tls', ...(env.AKVSYNC_WEBHOOK_CONFIGURATION ? { configuration: env.AKVSYNC_WEBHOOK_CONFIGURATION } : {}) } }
      : {}),
    driftRepair: env.AKVSYNC_DRIFT_REPAIR !== 'false',
    akv2k8sObjects: env.AKVSYNC_AKV2K8S_NAMESPACES !== undefined,
    ...(options.argoRollouts === false ? { argoRollouts: false } : {}),
    accessPolicy: env.AKVSYNC_ACCESS_POLICY === 'crd' ? 'crd' : env.AKVSYNC_ACCESS_POLICY === 'file' || (env.AKVSYNC_ACCESS_POLICY === undefined && env.AKVSYNC_ACCESS_POLICY_FILE !== undefined) ? 'file' : 'none',
  }, cluster);
  const cleanUp = async (): Promise<void> => {
    if (!options.replicaOf) await rbac?.remove();
    if (!options.emulator) await emulator.close();
    if (options.existingNamespaces) return;
    for (const ns of namespaces) {
      // The agent is stopped: the CRs' clean-up finalizers would hold the namespace in Terminating for the rest of the run.
      await releaseFinalizers(cluster.kubeConfig, ns).catch(() => undefined);
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
  };
  const signingKey = options.replicaOf?.signingKey ?? { keyId: 'test-key-1', key: new Uint8Array(randomBytes(32)) };
  const serverCert = options.replicaOf?.serverCert ?? issueLoopbackServerCert(stack.ca);
  const files: Record<string, string> = { '/mem/tls.crt': serverCert.certPem, '/mem/tls.key': serverCert.keyPem, '/mem/ca.crt': stack.ca.certPem };
  const config = loadAgentConfig(
    {
      AKVSYNC_TLS_CERT_FILE: '/mem/tls.crt',
      AKVSYNC_TLS_KEY_FILE: '/mem/tls.key',
      AKVSYNC_SIGNING_KEYS: JSON.stringify({ [signingKey.keyId]: Buffer.from(signingKey.key).toString('base64') }),
      AKVSYNC_VAULT_URLS: JSON.stringify(Object.fromEntries(vaults.map((v) => [v, emulator.vaultUrl(v)]))),
      AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
      AKVSYNC_NOTIFY_HOST: '127.0.0.1',
      AKVSYNC_NOTIFY_PORT: '0',
      AKVSYNC_METRICS_HOST: '127.0.0.1',
      AKVSYNC_METRICS_PORT: '0',
      AKVSYNC_WATCH_NAMESPACES: namespaces.join(','),
      AKVSYNC_NAMESPACE: agentNamespace,
      AKVSYNC_FALLBACK_INTERVAL: '1h',
      AKVSYNC_KEYVAULT_MAX_RETRIES: '1',
      AKVSYNC_LOG_LEVEL: 'debug',
      ...options.env,
    },
    [],
    (path) => {
      // The harness's own files live in memory; any other path is a real file (one a test rewrites to see it reloaded).
      if (!path.startsWith('/mem/')) return readFileSync(path, 'utf8');
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error(`no file ${path}`), { code: 'ENOENT' });
      return content;
    },
  );
  const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
  });
  const logLines = options.logLines ?? [];
  const logger = createLogger('debug', { write: (line: string) => void logLines.push(line) });
  const agent = await startAgent(config, { kubeConfig: rbac?.kubeConfig ?? cluster.kubeConfig, credential, logger }).catch(async (error: unknown) => {
    await cleanUp();
    throw error;
  });
  const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);

  return {
    agent, emulator, namespaces, logLines, core, apps, custom, signingKey, rbac, serverCert,
    async createAkvs(namespace, name, spec, extra = {}) {
      await custom.createNamespacedCustomObject({
        group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace,
        body: { apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', metadata: { name, namespace }, spec: { ...spec, ...extra } },
      });
    },
    async getStatus(namespace, name) {
      const cr = (await custom.getNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace, name })) as { status?: AkvsStatus };
      return cr.status;
    },
    async readSecret(namespace, name) {
      try {
        return await core.readNamespacedSecret({ namespace, name });
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    },
    async notify(n, o = {}) {
      const body = o.body ?? JSON.stringify(n);
      const signed = signNotification(o.key ?? signingKey, o.timestamp ?? Math.floor(Date.now() / 1000), body);
      return fetch(agent.notifyUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [NOTIFICATION_HEADERS.keyId]: signed.keyId,
          [NOTIFICATION_HEADERS.timestamp]: String(signed.timestamp),
          [NOTIFICATION_HEADERS.signature]: signed.signature,
        },
        body,
      });
    },
    notification: (overrides) => ({
      vault: vaults[0] ?? 'kv1',
      objectType: 'Secret',
      eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
      eventId: randomUUID(),
      eventTime: new Date().toISOString(),
      ...overrides,
    }),
    async stop() {
      await agent.stop();
      await cleanUp();
    },
  };
}

/** Removes every finalizer of the AzureKeyVaultSecrets in `namespace` (as docs/agent.md tells an admin to after an uninstall). */
async function releaseFinalizers(admin: KubeConfig, namespace: string): Promise<void> {
  const custom = admin.makeApiClient(CustomObjectsApi);
  const crs = { group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace };
  const { items } = (await custom.listNamespacedCustomObject(crs)) as { items: { metadata: { name: string; finalizers?: string[] } }[] };
  for (const cr of items.filter((c) => (c.metadata.finalizers ?? []).length > 0)) {
    await custom.patchNamespacedCustomObject({ ...crs, name: cr.metadata.name, body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }
}

/** Polls `probe` every 50 ms until it returns something other than undefined (errors count as "not yet"). */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  return waitUntil(what, async () => probe(), { timeoutMs, intervalMs: 50 });
}

export const decode = (secret: V1Secret | undefined, key: string): string | undefined => {
  const v = secret?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
};

/**
 * The usual rotation scene: vault `kv1` secret `db-password` = `first-value`, a CR writing it to Secret `db` (key
 * `password`) and the reloading Deployment `app` that uses it, waited for until the Secret and the first ReplicaSet exist.
 */
export async function createReloadingApp(h: AgentHarness, namespace: string): Promise<void> {
  const kubeConfig = getTestStack().kubeConfig;
  h.emulator.setSecret('kv1', 'db-password', 'first-value');
  await h.createAkvs(namespace, 'db-password', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'password' } } });
  await waitFor('initial Secret', async () => (decode(await h.readSecret(namespace, 'db'), 'password') === 'first-value' ? true : undefined));
  await createDeployment(kubeConfig, reloadingDeployment({ namespace, name: 'app', secretName: 'db', dataKey: 'password' }));
  await waitFor('first ReplicaSet', async () => ((await replicaSetsOf(kubeConfig, namespace, 'app')).length === 1 ? true : undefined));
}
