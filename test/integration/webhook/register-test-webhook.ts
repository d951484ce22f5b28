/**
 * Test support: what the suites that run the real agent's webhook behind the real apiserver share — the agent's
 * settings for a webhook on a loopback port (certificates from the harness's in-memory files, env-exec from a local
 * build) and a MutatingWebhookConfiguration that sends Pod CREATEs of some namespaces to it.
 */
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import type { BuiltEnvExec } from '../../../scripts/env-exec/container-roots.js';
import { freePort } from '../../../scripts/local-stack/free-port.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { startAgentHarness, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

/** The agent's webhook settings: its own port, env-exec from `built`, agent mode pointed back at the webhook. */
export function realAgentWebhookEnv(port: number, built: BuiltEnvExec): Record<string, string> {
  return {
    AKVSYNC_WEBHOOK_ENABLED: 'true', AKVSYNC_WEBHOOK_HOST: '127.0.0.1', AKVSYNC_WEBHOOK_PORT: String(port),
    AKVSYNC_WEBHOOK_TLS_CERT_FILE: '/mem/tls.crt', AKVSYNC_WEBHOOK_TLS_KEY_FILE: '/mem/tls.key',
    AKVSYNC_ENV_EXEC_IMAGE: 'registry.local/akvsync/agent:test', AKVSYNC_ENV_EXEC_DIR: built.dir, AKVSYNC_ENV_EXEC_SHA256: built.digest,
    AKVSYNC_ENV_AGENT_URL: `https://127.0.0.1:${port}`, AKVSYNC_ENV_CA_FILE: '/mem/ca.crt',
  };
}

/** Registers the webhook at `url` for Pod CREATEs in `namespaces` (trusting the stack's CA); returns its removal. */
export async function registerTestWebhook(name: string, url: string, namespaces: readonly string[]): Promise<() => Promise<void>> {
  const stack = getTestStack();
  const api = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  await api.createMutatingWebhookConfiguration({ body: {
    metadata: { name },
    webhooks: [{
      name: 'env-injection.akvsync.io',
      clientConfig: { url, caBundle: Buffer.from(stack.ca.certPem).toString('base64') },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces] }] },
      sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', timeoutSeconds: 15,
    }],
  } });
  return async () => {
    await api.deleteMutatingWebhookConfiguration({ name }).catch(() => undefined);
  };
}

export interface InjectingAgent {
  readonly h: AgentHarness;
  /** A namespace opted in to injection, whose Pod CREATEs the apiserver sends to the agent's webhook. */
  readonly team: string;
  stop(): Promise<void>;
}

/**
 * The real agent serving its webhook (env-exec from `built`), a second namespace opted in (`akvsync.io/injection`)
 * and registered with the apiserver, its default ServiceAccount present. `prepare` runs before the registration
 * (e.g. creating the AzureKeyVaultSecrets the pods will name).
 */
export async function startInjectingAgent(built: BuiltEnvExec, prepare: (h: AgentHarness, team: string) => Promise<void>): Promise<InjectingAgent> {
  const port = await freePort();
  const h = await startAgentHarness({ namespaces: 2, env: realAgentWebhookEnv(port, built) });
  const team = h.namespaces[1] as string;
  await h.core.patchNamespace({ name: team, body: [{ op: 'add', path: '/metadata/labels/akvsync.io~1injection', value: 'enabled' }] });
  await prepare(h, team);
  const remove = await registerTestWebhook(`akvsync-injecting-agent-${team}`, h.agent.webhookUrl, [team]);
  await waitUntil('the default ServiceAccount', () => h.core.readNamespacedServiceAccount({ namespace: team, name: 'default' }), { timeoutMs: 30_000, intervalMs: 100 });
  return {
    h, team,
    async stop() {
      await remove();
      await h.stop();
    },
  };
}
