/**
 * Benchmark: env-injection admission latency at 200 requests/s. The agent (as it ships, in its own process) serves its
 * webhook; a Pod with a `<name>@azurekeyvault` placeholder and a container without `command` (its ENTRYPOINT read from
 * a loopback registry, then cached: the warm image cache) is sent (1) as AdmissionReviews straight to the webhook, and
 * (2) as dry-run Pod creates through the apiserver in a labelled namespace whose MutatingWebhookConfiguration points at
 * the webhook — beside (3) the same dry-run creates in a namespace the webhook does not cover (the apiserver alone).
 * Requests are sent open-loop at a fixed rate (one every 5 ms), each timed from the moment it is sent to its answer.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { Agent } from 'undici';
import { KubeApiClients } from '../cluster-agent/adapters/kube-api-clients.js';
import { akvsSpec, applyAkvsCrd, createAkvs, createNamespace } from '../scripts/demo/cluster-fixtures.js';
import { startKeyVaultEmulator } from '../scripts/kv-emulator/emulator.js';
import { freePort } from '../scripts/local-stack/free-port.js';
import { pushTestImage } from '../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../scripts/local-stack/oci-registry.js';
import { startLocalStack, type LocalStack } from '../scripts/local-stack/stack.js';
import { issueLoopbackServerCert } from '../scripts/local-stack/tls.js';
import { waitUntil } from '../scripts/local-stack/wait-until.js';
import { bundleAgent, startAgentProcess, type AgentProcess } from './support/agent-process.js';
import { stopOnSignal } from './support/stop-on-signal.js';
import { atMost, beginBench, exactly, finishBench } from './support/bench-result.js';
import { loadAverage } from './support/machine-info.js';
import { summarizeLatencies, type LatencySummary } from './support/percentiles.js';

const RATE_PER_S = Number(process.env.BENCH_ADMISSION_RATE ?? 200);
const WARMUP = Number(process.env.BENCH_ADMISSION_WARMUP ?? 400);
const REQUESTS = Number(process.env.BENCH_ADMISSION_REQUESTS ?? 2000);
const VAULT = 'kv-bench-admission';
const INJECTED = 'bench-injected';
const PLAIN = 'bench-plain';
const AGENT_NAMESPACE = 'akvsync-system';
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

interface LoadResult {
  readonly latency: LatencySummary;
  readonly errors: number;
  /** How late the sender was against the schedule at worst (the generator's own lag), ms. */
  readonly maxSendLagMs: number;
  readonly achievedPerS: number;
  /** Up to five distinct reasons requests failed (status codes, error names; never a body). */
  readonly errorKinds: readonly string[];
}

/** Sends `count` requests open-loop at RATE_PER_S; `send` resolves true when the answer is right, else a reason. */
async function openLoop(count: number, send: (i: number) => Promise<true | string>): Promise<LoadResult> {
  const interval = 1000 / RATE_PER_S;
  const latencies: number[] = [];
  let errors = 0;
  let maxLag = 0;
  const errorKinds = new Set<string>();
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    maxLag = Math.max(maxLag, sent - due);
    inFlight.push(send(i).then(
      (ok) => {
        latencies.push(performance.now() - sent);
        if (ok !== true) {
          errors++;
          if (errorKinds.size < 5) errorKinds.add(ok);
        }
      },
      (error: unknown) => {
        latencies.push(performance.now() - sent);
        errors++;
        const e = error as { code?: unknown; name?: string };
        if (errorKinds.size < 5) errorKinds.add(`${e.name ?? 'Error'} ${String(e.code ?? '')}`.trim());
      },
    ));
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - t0) / 1000;
  return { latency: summarizeLatencies(latencies), errors, maxSendLagMs: Math.round(maxLag * 100) / 100, achievedPerS: Math.round(count / elapsedS), errorKinds: [...errorKinds] };
}

const pod = (name: string, image: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image, args: ['serve'], env: [{ name: 'DB_PASSWORD', value: 'db-password@azurekeyvault' }] }] },
});

async function main(): Promise<void> {
  const run = beginBench('admission-latency', 'Env-injection webhook admission latency at 200 requests/s (straight, and through the apiserver)');
  const work = mkdtempSync(join(tmpdir(), 'akvsync-bench-admission-'));
  let stack: LocalStack | undefined;
  let registry: OciRegistry | undefined;
  let agent: AgentProcess | undefined;
  stopOnSignal(async () => {
    await agent?.stop();
    await registry?.stop();
    await stack?.stop();
  });
  try {
    const bundle = await bundleAgent(work);
    stack = await startLocalStack();
    const kubeConfig = stack.controlPlane.kubeConfig;
    await applyAkvsCrd(kubeConfig);
    for (const ns of [INJECTED, PLAIN, AGENT_NAMESPACE]) await createNamespace(kubeConfig, ns);
    const clients = new KubeApiClients(kubeConfig);
    const core = clients.make(CoreV1Api);
    await core.patchNamespace({ name: INJECTED, body: [{ op: 'add', path: '/metadata/labels', value: { 'akvsync.io/injection': 'enabled' } }] });
    registry = await startOciRegistry({ ca: stack.ca });
    const image = (await pushTestImage(registry, 'apps/server:1', { entrypoint: ['/srv/server'] })).reference;
    const emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: [VAULT] });
    emulator.setSecret(VAULT, 'db-password', 'bench-value');
    await createAkvs(kubeConfig, INJECTED, 'db-password', akvsSpec({ vault: VAULT, object: 'db-password', secretName: 'db-password' }));

    // The webhook's serving certificate: a loopback certificate of the stack's CA (test material, removed with `work`).
    const cert = issueLoopbackServerCert(stack.ca);
    writeFileSync(join(work, 'webhook.crt'), cert.certPem);
    writeFileSync(join(work, 'webhook.key'), cert.keyPem, { mode: 0o600 });
    const webhookPort = await freePort();
    agent = await startAgentProcess({
      bundle, kubeconfigPath: stack.controlPlane.kubeconfigPath, caFile: stack.caFile, emulator, vaults: [VAULT], namespace: AGENT_NAMESPACE,
      env: {
        AKVSYNC_WEBHOOK_ENABLED: 'true', AKVSYNC_WEBHOOK_HOST: '127.0.0.1', AKVSYNC_WEBHOOK_PORT: String(webhookPort),
        AKVSYNC_WEBHOOK_TLS_CERT_FILE: join(work, 'webhook.crt'), AKVSYNC_WEBHOOK_TLS_KEY_FILE: join(work, 'webhook.key'),
        AKVSYNC_ENV_EXEC_IMAGE: 'registry.local/akvsync/agent:bench', AKVSYNC_ENV_EXEC_SHA256: `amd64=${'c'.repeat(64)}`,
        AKVSYNC_ENV_AGENT_URL: 'https://akvsync-agent.akvsync-system.svc:9443',
      },
    });
    const webhookUrl = `https://127.0.0.1:${webhookPort}/mutate`;

    // (1) AdmissionReviews straight to the webhook, over keep-alive connections as the apiserver keeps them.
    // At most 32 connections, kept alive (a new TLS handshake per request would measure the handshake, not the webhook).
    const dispatcher = new Agent({ connect: { ca: stack.ca.certPem }, keepAliveTimeout: 30_000, connections: 32 });
    const review = (i: number): string => JSON.stringify({
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: randomUUID(), kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
        operation: 'CREATE', namespace: INJECTED, dryRun: true, object: { ...pod(`direct-${i}`, image), metadata: { name: `direct-${i}`, namespace: INJECTED } },
      },
    });
    const sendReview = async (i: number): Promise<true | string> => {
      const { statusCode, body } = await dispatcher.request({ origin: new URL(webhookUrl).origin, path: '/mutate', method: 'POST', headers: { 'content-type': 'application/json' }, body: review(i) });
      const answer = (await body.json()) as { response?: { allowed?: boolean; patch?: string; status?: { code?: number; reason?: string } } };
      if (statusCode === 200 && answer.response?.allowed === true && typeof answer.response.patch === 'string') return true;
      return `HTTP ${statusCode}, allowed=${String(answer.response?.allowed)}, status ${answer.response?.status?.code ?? '-'} ${answer.response?.status?.reason ?? ''}`.trim();
    };
    const first = await sendReview(-1);
    if (first !== true) throw new Error(`the webhook did not mutate the first review: ${first}`);
    log(`direct: warm-up ${WARMUP}`);
    await openLoop(WARMUP, sendReview);
    log(`direct: ${REQUESTS} at ${RATE_PER_S}/s`);
    const direct = await openLoop(REQUESTS, sendReview);
    log(`direct: ${JSON.stringify(direct)}`);
    await dispatcher.close();

    // (2) and (3): dry-run Pod creates through the apiserver, with and without the webhook.
    const admission = clients.make(AdmissionregistrationV1Api);
    await admission.createMutatingWebhookConfiguration({ body: {
      metadata: { name: 'akvsync-bench-admission' },
      webhooks: [{
        name: 'env-injection.akvsync.io',
        clientConfig: { url: webhookUrl, caBundle: Buffer.from(stack.ca.certPem).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'akvsync.io/injection': 'enabled' } },
        sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', timeoutSeconds: 10,
      }],
    } });
    const createPod = (namespace: string, mutated: boolean) => async (i: number): Promise<true | string> => {
      const answer = await core.createNamespacedPod({ namespace, body: pod(`pod-${i}`, image), dryRun: 'All' });
      return (answer.spec?.initContainers?.length ?? 0) > 0 === mutated ? true : `the Pod came back ${mutated ? 'not ' : ''}mutated`;
    };
    await waitUntil('the apiserver to call the webhook', async () => ((await createPod(INJECTED, true)(-1).catch(() => false)) === true ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
    log(`through the apiserver: warm-up ${WARMUP}`);
    await openLoop(WARMUP, createPod(INJECTED, true));
    const throughApiserver = await openLoop(REQUESTS, createPod(INJECTED, true));
    log(`through the apiserver: ${JSON.stringify(throughApiserver)}`);
    await openLoop(WARMUP, createPod(PLAIN, false));
    const apiserverAlone = await openLoop(REQUESTS, createPod(PLAIN, false));
    log(`apiserver alone: ${JSON.stringify(apiserverAlone)}`);
    const agentPeakRssMiB = Math.round(agent.peakRssMiB());
    const handlerSeconds = await agent.metric('akvsync_webhook_admission_duration_seconds_sum');
    const handled = await agent.metric('akvsync_webhook_admission_duration_seconds_count');
    await clients.close();
    await emulator.close();

    finishBench(run, {
      method:
        `The agent (the bundle the image runs, its own process) serves its env-injection webhook on loopback HTTPS. The Pod: one ` +
        'container with an `<name>@azurekeyvault` env placeholder naming an AzureKeyVaultSecret of its namespace and no `command` ' +
        "(its ENTRYPOINT read from a loopback registry (Debian's docker-registry) on the first admission, then cached: warm image " +
        `cache). Open-loop at ${RATE_PER_S} requests/s (one sent every ${1000 / RATE_PER_S} ms whatever is in flight), ${WARMUP} ` +
        `warm-up requests then ${REQUESTS} measured, each timed from its send to its answer. (1) AdmissionReview v1 POSTed straight ` +
        'to /mutate over keep-alive connections; an error is anything but 200 with allowed=true and a patch. (2) dry-run Pod creates ' +
        '(dryRun=All) through the apiserver in a namespace labelled akvsync.io/injection=enabled, which a MutatingWebhookConfiguration ' +
        'sends to the webhook (failurePolicy Fail); an error is a refusal or a Pod without the injected init container. (3) the same ' +
        'creates in a namespace no webhook covers: the apiserver alone, beside it.',
      targets: [
        atMost('p99 admission, AdmissionReviews straight to the webhook at 200/s', direct.latency.p99Ms, 10, 'ms'),
        exactly('errors, straight to the webhook', direct.errors, 0, 'errors'),
        exactly('errors, through the apiserver', throughApiserver.errors, 0, 'errors'),
      ],
      metrics: {
        ratePerS: RATE_PER_S,
        requests: REQUESTS,
        direct,
        throughApiserver,
        apiserverAlone,
        webhookShareOfApiserverP50Ms: Math.round((throughApiserver.latency.p50Ms - apiserverAlone.latency.p50Ms) * 100) / 100,
        agentPeakRssMiB,
        webhookHandlerMeanMs: handled > 0 ? Math.round((handlerSeconds / handled) * 100_000) / 100 : undefined,
        loadAverageAtEnd: loadAverage(),
      },
      notes: [
        'The apiserver, etcd, controller-manager, the registry, the emulator, this process (the load generator) and the agent share the same cores.',
        'maxSendLagMs is how late the generator itself sent a request against its schedule (its own event loop); a large value means the machine, not the agent, was behind.',
      ],
    });
  } finally {
    await agent?.stop();
    await registry?.stop();
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit();
