/**
 * The webhook's TLS managed by the agent, on the real local stack, under exactly the generated RBAC: two replicas
 * (Lease-based leader election) share one Secret holding one CA; the leader puts that CA into the caBundle of the
 * MutatingWebhookConfiguration (created here without one, as the chart does), so the real apiserver calls both
 * replicas (one webhook entry each) and a pod in the labelled namespace is mutated. A forced CA rotation
 * (akvsync.io/rotate-ca-before) runs stage → switch → drop while pods are created without pause through both
 * replicas: not one admission fails, and the replicas end up serving a certificate of the new CA without a restart.
 */
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { createLogger } from '../../../cluster-agent/logger.js';
import { systemScheduler } from '../../../cluster-agent/ports/scheduler.js';
import { webhookTls } from '../../../cluster-agent/webhook-tls/webhook-tls.js';
import { loadWebhookTlsConfig } from '../../../cluster-agent/webhook-tls/webhook-tls-config.js';
import { ROTATE_CA_BEFORE_ANNOTATION } from '../../../cluster-agent/webhook-tls/webhook-tls-secret.js';
import { certificatesOf } from '../../../cluster-agent/webhook-tls/webhook-tls-material.js';
import { isIssuedBy } from '../../../core/certificates/order-chain.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { decode, startAgentHarness, waitFor, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

const stack = getTestStack();
const admissionApi = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
const SECRET = 'akvsync-webhook-tls';

describe('webhook TLS managed by the agent, behind the real apiserver', () => {
  let a: AgentHarness;
  let b: AgentHarness;
  let configName: string;
  let ns: string;
  /** A watched, labelled namespace that is not the agent's own (that one is never mutated). */
  let team: string;

  const env = (pod: string): Record<string, string> => ({
    AKVSYNC_LEADER_ELECTION: 'true', AKVSYNC_POD_NAME: pod,
    AKVSYNC_WEBHOOK_ENABLED: 'true', AKVSYNC_WEBHOOK_HOST: '127.0.0.1', AKVSYNC_WEBHOOK_PORT: '0',
    AKVSYNC_WEBHOOK_SERVICE: 'akvsync-agent-webhook', AKVSYNC_WEBHOOK_CERT_HOSTS: '127.0.0.1',
    AKVSYNC_WEBHOOK_CONFIGURATION: configName, AKVSYNC_WEBHOOK_ROTATION_OVERLAP: '3s',
    AKVSYNC_ENV_EXEC_IMAGE: 'registry.local/akvsync/agent:test', AKVSYNC_ENV_EXEC_SHA256: `amd64=${'c'.repeat(64)}`,
    AKVSYNC_ENV_AGENT_URL: 'https://akvsync-agent-webhook.akvsync.svc:443',
  });
  const secret = async (): Promise<{ cas: X509Certificate[]; cert: X509Certificate | undefined; raw: Awaited<ReturnType<AgentHarness['readSecret']>> }> => {
    const raw = await a.readSecret(ns, SECRET);
    return { cas: certificatesOf(decode(raw, 'ca.crt') ?? ''), cert: certificatesOf(decode(raw, 'tls.crt') ?? '')[0], raw };
  };
  /** The certificate a replica's webhook port presents now (a new connection). */
  const served = (h: AgentHarness): Promise<X509Certificate> => {
    const { hostname, port } = new URL(h.agent.webhookUrl);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false, servername: 'localhost' }, () => {
        const peer = socket.getPeerX509Certificate();
        socket.destroy();
        if (peer) resolve(peer);
        else reject(new Error('no peer certificate'));
      });
      socket.on('error', reject);
    });
  };
  const caBundle = async (): Promise<string[]> => {
    const config = await admissionApi.readMutatingWebhookConfiguration({ name: configName });
    return (config.webhooks ?? []).map((w) => Buffer.from(String(w.clientConfig.caBundle ?? ''), 'base64').toString('utf8'));
  };
  const pod = (name: string): V1Pod => ({
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'registry.local/app:1', command: ['/app'], env: [{ name: 'DB_PASSWORD', value: 'db-password@azurekeyvault' }] }] },
  });

  beforeAll(async () => {
    configName = `akvsync-webhook-tls-${Date.now().toString(36)}`;
    a = await startAgentHarness({ namespaces: 2, env: env('agent-a') });
    [ns, team] = a.namespaces as [string, string];
    b = await startAgentHarness({ existingNamespaces: a.namespaces, emulator: a.emulator, replicaOf: a, env: env('agent-b') });
    await a.core.patchNamespace({ name: team, body: { metadata: { labels: { 'akvsync.io/injection': 'enabled' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await a.createAkvs(team, 'db-password', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } } } as never);
    // As the chart renders it: no caBundle (the leader writes it), one entry per replica here (the apiserver calls both).
    await admissionApi.createMutatingWebhookConfiguration({ body: {
      metadata: { name: configName },
      webhooks: [a, b].map((h, i) => ({
        name: `replica-${i}.env-injection.akvsync.io`,
        clientConfig: { url: h.agent.webhookUrl },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [team] }] },
        sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', reinvocationPolicy: 'IfNeeded', timeoutSeconds: 15,
      })),
    } });
    // The leader watches its configuration by name: created after the agent (as helm does), it is patched at once.
    await waitUntil('the leader to fill the caBundle', async () => ((await caBundle()).every((b) => b.includes('BEGIN CERTIFICATE')) ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
  }, 180_000);

  afterAll(async () => {
    await admissionApi.deleteMutatingWebhookConfiguration({ name: configName }).catch(() => undefined);
    await b?.stop();
    await a?.stop();
  });

  it('one Secret, one CA: both replicas serve its certificate for the service names, and the caBundle is that CA', async () => {
    const { cas, cert, raw } = await secret();
    expect(raw?.type).toBe('kubernetes.io/tls');
    expect(cas).toHaveLength(1);
    expect(cert?.subjectAltName).toBe(`DNS:akvsync-agent-webhook.${ns}.svc, DNS:akvsync-agent-webhook.${ns}.svc.cluster.local, IP Address:127.0.0.1`);
    for (const h of [a, b]) expect(isIssuedBy(await served(h), cas[0]!)).toBe(true);
    expect(await caBundle()).toEqual([cas[0]!.toString(), cas[0]!.toString()]);
    // the leader alone writes: one create, by whichever started first; the other replica only read it
    expect([...a.logLines, ...b.logLines].filter((l) => l.includes('webhook CA and certificate created'))).toHaveLength(1);
    for (const line of [...a.logLines, ...b.logLines]) expect(line).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  it('replicas starting at once agree on one CA: create-if-absent, the loser reads the winner\'s Secret', async () => {
    const config = loadWebhookTlsConfig((n) => ({ AKVSYNC_WEBHOOK_TLS_SECRET: 'akvsync-webhook-tls-race', AKVSYNC_WEBHOOK_CERT_HOSTS: '127.0.0.1' } as Record<string, string>)[n], () => undefined);
    // the admin KubeConfig: the agent's RBAC names only its own Secret, and this one is a fresh name
    const deps = { kubeConfig: stack.kubeConfig, namespace: ns, scheduler: systemScheduler, logger: createLogger('silent') };
    const replicas = await Promise.all([1, 2, 3].map(() => webhookTls(config, deps)));
    const stored = certificatesOf(decode(await a.readSecret(ns, 'akvsync-webhook-tls-race'), 'ca.crt') ?? '');
    expect(stored).toHaveLength(1);
    for (const r of replicas) {
      expect(r.caBundlePem()).toBe(stored[0]!.toString());
      expect(isIssuedBy(new X509Certificate(r.initial.certPem), stored[0]!)).toBe(true);
    }
  });

  it('the real apiserver calls both replicas with the agent-managed CA: a pod in the labelled namespace is mutated', async () => {
    await a.core.createNamespacedPod({ namespace: team, body: pod('mutated') });
    const stored = await a.core.readNamespacedPod({ namespace: team, name: 'mutated' });
    expect(stored.spec?.initContainers?.[0]?.name).toBe('akvsync-env-exec-install');
    // env-exec trusts the agent's CA from the Secret (no AKVSYNC_ENV_CA_FILE): it is in the mutated spec
    const extraCa = stored.spec?.containers[0]?.env?.find((e) => e.name === 'AKVSYNC_ENV_EXEC_EXTRA_CA')?.value ?? '';
    expect(certificatesOf(extraCa).map((c) => c.fingerprint256)).toEqual((await secret()).cas.map((c) => c.fingerprint256));
  });

  it('a forced CA rotation keeps admissions flowing: pods created without pause through stage, switch and drop, none refused', async () => {
    const before = await secret();
    const oldCa = before.cas[0]!;
    const failures: string[] = [];
    let admitted = 0;
    let running = true;
    const createPods = async (worker: number): Promise<void> => {
      for (let i = 0; running; i++) {
        try {
          const created = await a.core.createNamespacedPod({ namespace: team, body: pod(`rotation-${worker}-${i}`), dryRun: 'All' });
          if (!created.spec?.initContainers?.length) failures.push(`rotation-${worker}-${i}: not mutated`);
          admitted++;
        } catch (error) {
          failures.push(`rotation-${worker}-${i}: ${String((error as { body?: unknown }).body ?? error)}`);
        }
      }
    };
    const workers = [0, 1].map((w) => createPods(w));
    try {
      await waitFor('some admissions before the rotation', () => (admitted >= 10 ? true : undefined));
      const atRequest = admitted;
      await a.core.patchNamespacedSecret({ namespace: ns, name: SECRET, body: { metadata: { annotations: { [ROTATE_CA_BEFORE_ANNOTATION]: new Date().toISOString() } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      const staged = await waitFor('the new CA staged beside the old one', async () => ((await secret()).cas.length === 2 ? await secret() : undefined));
      expect(staged.cas[1]!.fingerprint256).toBe(oldCa.fingerprint256);
      const newCa = staged.cas[0]!;
      await waitFor('the serving certificate switched to the new CA', async () => (isIssuedBy((await secret()).cert!, newCa) ? true : undefined));
      await waitFor('both replicas serving it', async () => ((await Promise.all([a, b].map(served))).every((c) => isIssuedBy(c, newCa)) ? true : undefined));
      await waitFor('the old CA dropped from the Secret and the caBundle', async () => {
        const now = await secret();
        const bundles = await caBundle();
        return now.cas.length === 1 && now.cas[0]!.fingerprint256 === newCa.fingerprint256 && bundles.every((b) => certificatesOf(b).length === 1) ? true : undefined;
      }, 60_000);
      const settledAt = admitted;
      expect(settledAt).toBeGreaterThan(atRequest); // admissions went on during the rotation
      await waitFor('more admissions after the rotation', () => (admitted >= settledAt + 10 ? true : undefined));
    } finally {
      running = false;
      await Promise.all(workers);
    }
    expect(failures).toEqual([]);
    // no restart: the same agents, and each replica reloaded from the Secret watch
    for (const h of [a, b]) expect(h.logLines.some((l) => l.includes('webhook serving certificate reloaded'))).toBe(true);
    expect(a.logLines.filter((l) => l.includes('"action":"stage-ca"')).length + b.logLines.filter((l) => l.includes('"action":"stage-ca"')).length).toBe(1);
  }, 180_000);
});
