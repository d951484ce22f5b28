/**
 * The webhook as the agent runs it (AKVSYNC_WEBHOOK_ENABLED), under exactly the generated RBAC of its settings: the
 * real apiserver calls it on its own port (not the notify port); a pod in an opted-in watched namespace is mutated
 * (the AzureKeyVaultSecret read with the `get` rule; the image ENTRYPOINT looked up with the ServiceAccount `get`
 * rule), the agent's own namespace is never touched even when labelled, and the admissions show in its metrics.
 */
import { AdmissionregistrationV1Api, type V1Pod } from '@kubernetes/client-node';
import { pushTestImage } from '../../../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { startAgentHarness, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const admissionApi = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);

describe('the agent serving the env-injection webhook under its generated RBAC', () => {
  let h: AgentHarness;
  let registry: OciRegistry;
  let configName: string;
  let own: string;
  let team: string;

  const pod = (name: string, image: string): V1Pod => ({
    metadata: { name },
    spec: { containers: [{ name: 'app', image, args: ['serve'], env: [{ name: 'DB_PASSWORD', value: 'db-password@azurekeyvault' }] }] },
  });

  beforeAll(async () => {
    registry = await startOciRegistry({ ca: stack.ca });
    await pushTestImage(registry, 'apps/server:1', { entrypoint: ['/srv/server'] });
    h = await startAgentHarness({
      namespaces: 2,
      env: {
        AKVSYNC_WEBHOOK_ENABLED: 'true', AKVSYNC_WEBHOOK_HOST: '127.0.0.1', AKVSYNC_WEBHOOK_PORT: '0',
        AKVSYNC_WEBHOOK_TLS_CERT_FILE: '/mem/tls.crt', AKVSYNC_WEBHOOK_TLS_KEY_FILE: '/mem/tls.key',
        AKVSYNC_ENV_EXEC_IMAGE: 'registry.local/akvsync/agent:test', AKVSYNC_ENV_EXEC_SHA256: 'c'.repeat(64),
        AKVSYNC_ENV_AGENT_URL: 'https://akvsync-agent.akvsync.svc:9443',
      },
    });
    [own, team] = h.namespaces as [string, string];
    for (const name of [own, team]) await h.core.patchNamespace({ name, body: [{ op: 'add', path: '/metadata/labels/akvsync.io~1injection', value: 'enabled' }] });
    await h.createAkvs(team, 'db-password', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } } } as never);
    configName = `akvsync-agent-webhook-${team}`;
    await admissionApi.createMutatingWebhookConfiguration({ body: {
      metadata: { name: configName },
      webhooks: [{
        name: 'env-injection.akvsync.io',
        clientConfig: { url: h.agent.webhookUrl, caBundle: Buffer.from(stack.ca.certPem).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [own, team] }] },
        sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', timeoutSeconds: 15,
      }],
    } });
    await waitUntil('the apiserver to call the agent', async () => {
      const probe = await h.core.createNamespacedPod({ namespace: team, body: pod('probe', `${registry.host}/apps/server:1`), dryRun: 'All' });
      return probe.spec?.initContainers?.length ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
  }, 120_000);

  afterAll(async () => {
    await admissionApi.deleteMutatingWebhookConfiguration({ name: configName }).catch(() => undefined);
    await h?.stop();
    await registry?.stop();
  });

  it('serves the webhook on its own port, not the notify port', () => {
    expect(h.agent.webhookUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/mutate$/);
    expect(new URL(h.agent.webhookUrl).port).not.toBe(new URL(h.agent.notifyUrl).port);
    expect(h.rbac?.options.disabled).not.toContain('env-injection-admission');
  });

  it("mutates a pod in an opted-in watched namespace with the image's ENTRYPOINT, and never one in the agent's own namespace", async () => {
    await h.core.createNamespacedPod({ namespace: team, body: pod('app', `${registry.host}/apps/server:1`) });
    const stored = await h.core.readNamespacedPod({ namespace: team, name: 'app' });
    expect(stored.spec?.initContainers?.[0]?.name).toBe('akvsync-env-exec-install');
    const app = stored.spec?.containers[0];
    expect([...app?.command ?? [], ...app?.args ?? []].join(' ')).toContain('-- /srv/server serve');
    expect(app?.env?.find((e) => e.name === 'DB_PASSWORD')?.value).toBe('db-password@azurekeyvault');

    await h.core.createNamespacedPod({ namespace: own, body: pod('own', `${registry.host}/apps/server:1`) });
    const untouched = await h.core.readNamespacedPod({ namespace: own, name: 'own' });
    expect(untouched.spec?.initContainers).toBeUndefined();
    expect(untouched.spec?.containers[0]?.command).toBeUndefined();

    const metrics = await (await fetch(h.agent.metricsUrl)).text();
    expect(metrics).toMatch(/akvsync_webhook_admissions_total\{outcome="mutated"\} [1-9]/);
    expect(metrics).toMatch(/akvsync_webhook_admissions_total\{outcome="unchanged"\} [1-9]/);
    expect(metrics).toContain('akvsync_webhook_admission_duration_seconds_bucket');
  });
});
