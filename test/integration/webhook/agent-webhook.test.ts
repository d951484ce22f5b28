/**
 * The webhook as the agent runs it (AKVSYNC_WEBHOOK_ENABLED), under exactly the generated RBAC of its settings: the
 * real apiserver calls it on its own port (not the notify port); a pod in an opted-in watched namespace is mutated
 * (the AzureKeyVaultSecret read with the `get` rule; the image ENTRYPOINT looked up with the ServiceAccount `get`
 * rule), the agent's own namespace is never touched even when labelled, and the admissions show in its metrics.
 * `POST /v1/env` on the same port answers a pod-bound projected token (real TokenRequest, real TokenReview) with the
 * values its stored spec declares for that container, read from the Key Vault emulator, and nothing to any other token.
 */
import { AdmissionregistrationV1Api, type V1Pod } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { pushTestImage } from '../../../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { startAgentHarness, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const VALUE = `db-value-${randomUUID()}`;
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
        AKVSYNC_ENV_EXEC_IMAGE: 'registry.local/akvsync/agent:test', AKVSYNC_ENV_EXEC_SHA256: `amd64=${'c'.repeat(64)}`,
        AKVSYNC_ENV_AGENT_URL: 'https://akvsync-agent.akvsync.svc:9443',
      },
    });
    [own, team] = h.namespaces as [string, string];
    for (const name of [own, team]) await h.core.patchNamespace({ name, body: [{ op: 'add', path: '/metadata/labels/akvsync.io~1injection', value: 'enabled' }] });
    h.emulator.setSecret('kv1', 'db-password', VALUE);
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

  describe('POST /v1/env', () => {
    const envUrl = (): string => h.agent.webhookUrl.replace(/\/mutate$/, '/v1/env');
    const ask = (token: string, container: string): Promise<Response> =>
      fetch(envUrl(), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ container }) });
    const tokenFor = async (podName: string, audience: string): Promise<string> => {
      const target = await h.core.readNamespacedPod({ namespace: team, name: podName });
      const answer = await h.core.createNamespacedServiceAccountToken({ namespace: team, name: 'default', body: {
        spec: { audiences: [audience], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: podName, uid: target.metadata?.uid ?? '' } },
      } });
      return answer.status?.token ?? '';
    };

    beforeAll(async () => {
      await waitUntil('the default ServiceAccount', () => h.core.readNamespacedServiceAccount({ namespace: team, name: 'default' }), { timeoutMs: 30_000, intervalMs: 100 });
      await h.core.createNamespacedPod({ namespace: team, body: pod('env-app', `${registry.host}/apps/server:1`) });
      await h.core.createNamespacedPod({ namespace: team, body: { metadata: { name: 'no-placeholders' }, spec: { containers: [{ name: 'app', image: 'x', command: ['/x'] }] } } });
    });

    it("answers the pod-bound token of the container's audience with exactly its declared values", async () => {
      const response = await ask(await tokenFor('env-app', 'akvsync.io/env-exec/app'), 'app');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ variables: { DB_PASSWORD: VALUE }, versions: { 'db-password': expect.any(String) } });
    });

    it("gives nothing to another container's audience, another pod's token or a forged token", async () => {
      const otherAudience = await ask(await tokenFor('env-app', 'akvsync.io/env-exec/sidecar'), 'app');
      expect(otherAudience.status).toBe(401);
      const otherPod = await ask(await tokenFor('no-placeholders', 'akvsync.io/env-exec/app'), 'app');
      expect(otherPod.status).toBe(404);
      const forged = await ask('not-a-token', 'app');
      expect(forged.status).toBe(401);
      for (const r of [otherAudience, otherPod, forged]) expect(await r.text()).not.toContain(VALUE);
      expect(h.logLines.join('\n')).not.toContain(VALUE);
    });
  });
});
