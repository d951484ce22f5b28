/**
 * The env-injection webhook component on the real local stack: a MutatingWebhookConfiguration points the real
 * kube-apiserver at it (https://127.0.0.1:<port>/mutate, caBundle = the stack's CA). akv2k8s examples 10, 11 and 13
 * (only the namespace label, the AKVS apiVersion and — their public images being unreachable — the image's registry
 * changed; 13 is tutorial 11's Deployment over a PEM stored as a `secret`) are admitted with the expected mutation;
 * 12 (a `key` object) is refused naming the AKVS, as env injection does not support keys; the ENTRYPOINT read from a loopback registry (htpasswd) with the
 * pull secret of the namespace's default ServiceAccount. A namespace without the label is called but left alone;
 * a dry-run creates nothing; an image that cannot be read refuses the pod, naming the image.
 */
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { parse } from 'yaml';
import { FileReloader } from '../../../cluster-agent/adapters/file-reloader.js';
import { systemScheduler } from '../../../cluster-agent/ports/scheduler.js';
import { AgentMetrics } from '../../../cluster-agent/metrics.js';
import { AccessGate } from '../../../cluster-agent/tenancy/access-gate.js';
import { webhookComponent, type WebhookComponent } from '../../../cluster-agent/webhook/webhook-component.js';
import { MUTATE_PATH } from '../../../cluster-agent/webhook/webhook-server.js';
import type { VaultObjectStore } from '../../../core/ports/vault-object-store.js';
import { pushTestImage } from '../../../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { SETTINGS, fixturePod } from '../../unit/core/injection/injection-fixtures.js';
import { applyCrd } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

const FIXTURES = join(process.cwd(), '..', 'shared', 'fixtures', 'akv2k8s-examples');
const stack = getTestStack();
const core = stack.kubeConfig.makeApiClient(CoreV1Api);
const custom = stack.kubeConfig.makeApiClient(CustomObjectsApi);
const admissionApi = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
const PULL = { username: 'puller', password: 'pull-pass-not-in-any-pod' };

function refusal(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  return typeof body === 'string' ? String((JSON.parse(body) as { message?: unknown }).message) : String(error);
}

describe('env-injection webhook behind the real apiserver', () => {
  let registry: OciRegistry;
  let webhook: WebhookComponent;
  let tlsDir: string;
  let injected: string;
  let plain: string;
  let pemAsSecret: string;
  let configName: string;
  const metrics = new AgentMetrics(() => 0);

  /** A fixture's pod with its image on the loopback registry (the only change besides the namespace). */
  const examplePod = (file: string, name: string): V1Pod => {
    const pod = fixturePod(file);
    const container = pod.spec.containers[0]!;
    container.image = `${registry.host}/spvest/akv2k8s-env-test:2.0.1`;
    return { ...pod, metadata: { ...pod.metadata, generateName: undefined, name, namespace: undefined } } as V1Pod;
  };

  beforeAll(async () => {
    await applyCrd();
    registry = await startOciRegistry({ ca: stack.ca, auth: { kind: 'htpasswd', users: { [PULL.username]: PULL.password } } });
    await pushTestImage(registry, 'spvest/akv2k8s-env-test:2.0.1', { entrypoint: ['/usr/local/bin/akv2k8s-env-test'], cmd: ['--help'] });
    injected = await stack.createNamespace('inject', { labels: { 'akvsync.io/injection': 'enabled' } });
    plain = await stack.createNamespace('inject-off');
    // Example 13's AKVS has example 11's name: its own namespace.
    pemAsSecret = await stack.createNamespace('inject-13', { labels: { 'akvsync.io/injection': 'enabled' } });

    // The pull secret, on the namespace's default ServiceAccount (the controller-manager creates the account).
    const auth = Buffer.from(`${PULL.username}:${PULL.password}`).toString('base64');
    await core.createNamespacedSecret({ namespace: injected, body: {
      metadata: { name: 'loopback-registry' }, type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': JSON.stringify({ auths: { [registry.host]: { auth } } }) },
    } });
    await waitUntil('the default ServiceAccount', () => core.readNamespacedServiceAccount({ namespace: injected, name: 'default' }), { timeoutMs: 30_000, intervalMs: 100 });
    await core.patchNamespacedServiceAccount({ namespace: injected, name: 'default', body: [{ op: 'add', path: '/imagePullSecrets', value: [{ name: 'loopback-registry' }] }] });

    const examples: [string, string][] = [
      ['10-inject-secret.akvs.yaml', injected], ['11-inject-certificate.akvs.yaml', injected], ['12-inject-signing-key.akvs.yaml', injected],
      ['13-inject-pfx-certificate.akvs.yaml', pemAsSecret],
    ];
    for (const [file, namespace] of examples) {
      const akvs = parse(readFileSync(join(FIXTURES, file), 'utf8')) as { metadata: { name: string }; spec: unknown };
      await custom.createNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace,
        body: { apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', metadata: { name: akvs.metadata.name.trim() }, spec: akvs.spec } });
    }
    await waitUntil('the default ServiceAccount (13)', () => core.readNamespacedServiceAccount({ namespace: pemAsSecret, name: 'default' }), { timeoutMs: 30_000, intervalMs: 100 });
    await core.createNamespacedSecret({ namespace: pemAsSecret, body: {
      metadata: { name: 'loopback-registry' }, type: 'kubernetes.io/dockerconfigjson',
      stringData: { '.dockerconfigjson': JSON.stringify({ auths: { [registry.host]: { auth } } }) },
    } });

    tlsDir = mkdtempSync(join(tmpdir(), 'akvsync-webhook-tls-'));
    const first = issueLoopbackServerCert(stack.ca);
    writeFileSync(join(tlsDir, 'tls.crt'), first.certPem);
    writeFileSync(join(tlsDir, 'tls.key'), first.keyPem);
    const tls = { mode: 'files' as const, ...first, certFile: join(tlsDir, 'tls.crt'), keyFile: join(tlsDir, 'tls.key') };
    webhook = await webhookComponent({
      config: {
        host: '127.0.0.1', port: 0, tls, maxBodyBytes: 1 << 20, commandFailurePolicy: 'closed',
        injection: { ...SETTINGS, acceptAkv2k8sLabel: false },
        envExec: { bundlesDir: join(tlsDir, 'no-bundles'), sha256: SETTINGS.envExecSha256 },
        registry: { timeoutMs: 10_000, mirrors: [], extraCaPem: [stack.ca.certPem] },
      },
      kubeConfig: stack.kubeConfig,
      settings: { agentNamespace: 'akvsync-system' },
      access: AccessGate.open({} as VaultObjectStore),
      metrics,
      logger: pino({ level: 'silent' }),
    });
    await webhook.start();

    configName = `akvsync-env-injection-${injected}`;
    await admissionApi.createMutatingWebhookConfiguration({ body: {
      metadata: { name: configName },
      webhooks: [{
        name: 'env-injection.akvsync.io',
        clientConfig: { url: `https://${webhook.address()}${MUTATE_PATH}`, caBundle: Buffer.from(stack.ca.certPem).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        // Both of this test's namespaces (so the webhook's own label check is what keeps `plain` unchanged), no other.
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [injected, plain, pemAsSecret] }] },
        sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', reinvocationPolicy: 'IfNeeded', timeoutSeconds: 15,
      }],
    } });
    await waitUntil('the apiserver to call the webhook', async () => {
      const probe = await core.createNamespacedPod({ namespace: injected, body: examplePod('10-inject-secret.deployment.yaml', 'probe'), dryRun: 'All' });
      return probe.spec?.initContainers?.length ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
  }, 120_000);

  afterAll(async () => {
    await admissionApi.deleteMutatingWebhookConfiguration({ name: configName }).catch(() => undefined);
    await webhook?.stop();
    await registry?.stop();
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  });

  // The registry refuses anonymous pulls: admission works only with the ServiceAccount's pull secret.
  it('admits example 10 with the mutation: install init container, env-exec start, the image ENTRYPOINT + args; no value stored', async () => {
    await core.createNamespacedPod({ namespace: injected, body: examplePod('10-inject-secret.deployment.yaml', 'example-10') });
    const stored = await core.readNamespacedPod({ namespace: injected, name: 'example-10' });
    expect(stored.spec?.initContainers?.[0]).toMatchObject({ name: 'akvsync-env-exec-install', image: SETTINGS.installImage });
    const app = stored.spec?.containers[0];
    expect(app?.command?.[0]).toMatch(/^\/akvsync\/env-exec\//);
    expect([...app?.command ?? [], ...app?.args ?? []].join(' ')).toContain('-- /usr/local/bin/akv2k8s-env-test TEST_SECRET');
    expect(app?.env?.find((e) => e.name === 'TEST_SECRET')?.value).toBe('secret-inject@azurekeyvault');
    expect(stored.spec?.volumes?.map((v) => v.name)).toEqual(expect.arrayContaining(['akvsync-env-exec', 'akvsync-env-token-akv2k8s-env-test']));
    expect(JSON.stringify(stored)).not.toContain(PULL.password);
  });

  it('admits example 11 with both certificate queries planned for env-exec', async () => {
    await core.createNamespacedPod({ namespace: injected, body: examplePod('11-inject-certificate.deployment.yaml', 'example-11') });
    const stored = await core.readNamespacedPod({ namespace: injected, name: 'example-11' });
    const app = stored.spec?.containers[0];
    expect([...app?.command ?? [], ...app?.args ?? []].join(' ')).toContain('-- /usr/local/bin/akv2k8s-env-test PUBLIC_KEY PRIVATE_KEY');
    expect(app?.env?.filter((e) => e.value?.startsWith('certificate-inject@azurekeyvault')).map((e) => e.value))
      .toEqual(['certificate-inject@azurekeyvault?tls.crt', 'certificate-inject@azurekeyvault?tls.key']);
    expect(JSON.stringify(stored.spec)).toContain('my-certificate'); // the plan names the object, never a value
  });

  it('refuses example 12 (a key object) naming the container, variable and AzureKeyVaultSecret; nothing is stored', async () => {
    const message = await core.createNamespacedPod({ namespace: injected, body: examplePod('12-inject-signing-key.deployment.yaml', 'example-12') }).then(() => 'admitted', refusal);
    expect(message).toContain("container 'akv2k8s-env-test' env TEST_SIGNING_KEY: 'signing-key-inject@azurekeyvault': AzureKeyVaultSecret 'signing-key-inject' has object type 'key', which env injection does not support yet");
    expect((await core.listNamespacedPod({ namespace: injected })).items.map((p) => p.metadata?.name)).not.toContain('example-12');
  });

  it("admits example 13 (tutorial 11's pod over a PEM stored as a 'secret'), its pull secret given on the pod", async () => {
    const body = examplePod('11-inject-certificate.deployment.yaml', 'example-13');
    body.spec!.imagePullSecrets = [{ name: 'loopback-registry' }];
    await core.createNamespacedPod({ namespace: pemAsSecret, body });
    const stored = await core.readNamespacedPod({ namespace: pemAsSecret, name: 'example-13' });
    expect(stored.spec?.initContainers?.map((c) => c.name)).toEqual(['akvsync-env-exec-install']);
    const app = stored.spec?.containers[0];
    expect([...app?.command ?? [], ...app?.args ?? []].join(' ')).toContain('-- /usr/local/bin/akv2k8s-env-test PUBLIC_KEY PRIVATE_KEY');
    const plan = JSON.parse(app?.env?.find((e) => e.name === 'AKVSYNC_ENV_EXEC_PLAN')?.value ?? '[]') as { env: string; query?: string; source: { type: string; name: string } }[];
    expect(plan.map((p) => [p.env, p.query, p.source.type, p.source.name])).toEqual([['PUBLIC_KEY', 'tls.crt', 'secret', 'my-certificate'], ['PRIVATE_KEY', 'tls.key', 'secret', 'my-certificate']]);
    // Only placeholders and names: every env value is a placeholder, a name, a URL or env-exec's plan.
    expect(app?.env?.filter((e) => !e.name.startsWith('AKVSYNC_ENV_EXEC_')).map((e) => e.value)).toEqual(['certificate-inject@azurekeyvault?tls.crt', 'certificate-inject@azurekeyvault?tls.key']);
    expect(JSON.stringify(stored)).not.toContain(PULL.password);
  });

  it('leaves a pod in a namespace without the label unchanged, though the apiserver calls the webhook there', async () => {
    const before = Number((await metrics.admissions.get()).values.find((v) => v.labels.outcome === 'unchanged')?.value ?? 0);
    await core.createNamespacedPod({ namespace: plain, body: examplePod('10-inject-secret.deployment.yaml', 'untouched') });
    const stored = await core.readNamespacedPod({ namespace: plain, name: 'untouched' });
    expect(stored.spec?.initContainers).toBeUndefined();
    expect(stored.spec?.containers[0]?.command).toBeUndefined();
    const after = Number((await metrics.admissions.get()).values.find((v) => v.labels.outcome === 'unchanged')?.value ?? 0);
    expect(after).toBe(before + 1);
  });

  it('a dry-run returns the mutated pod and creates nothing', async () => {
    const pods = async (): Promise<string[]> => (await core.listNamespacedPod({ namespace: injected })).items.map((p) => p.metadata?.name ?? '');
    const secrets = async (): Promise<number> => (await core.listNamespacedSecret({ namespace: injected })).items.length;
    const [podsBefore, secretsBefore] = [await pods(), await secrets()];
    const answer = await core.createNamespacedPod({ namespace: injected, body: examplePod('10-inject-secret.deployment.yaml', 'dry'), dryRun: 'All' });
    expect(answer.spec?.initContainers?.[0]?.name).toBe('akvsync-env-exec-install');
    expect(await pods()).toEqual(podsBefore);
    expect(await secrets()).toBe(secretsBefore);
  });

  it('refuses a pod whose image cannot be read, naming the image and the reason', async () => {
    const body = examplePod('10-inject-secret.deployment.yaml', 'missing-image');
    body.spec!.containers[0]!.image = `${registry.host}/nowhere/missing:1`;
    const message = await core.createNamespacedPod({ namespace: injected, body }).then(() => 'admitted', refusal);
    expect(message).toContain(`image '${registry.host}/nowhere/missing:1'`);
    expect(message).toContain('the registry has no such manifest (404)');
    expect(message).not.toContain(PULL.password);
  });

  it('serves a renewed certificate after its files change, on the same listener, and admissions keep flowing', async () => {
    const [host, port] = webhook.address().split(':') as [string, string];
    const servedSerial = (): Promise<string> => new Promise((resolve, reject) => {
      const socket = connect({ host, port: Number(port), ca: stack.ca.certPem, servername: 'localhost' }, () => {
        resolve(socket.getPeerX509Certificate()?.serialNumber ?? '');
        socket.destroy();
      });
      socket.on('error', reject);
    });
    const reloader = new FileReloader({ targets: webhook.tlsReload.reloadTargets, scheduler: systemScheduler, intervalMs: 3600_000, logger: pino({ level: 'silent' }) });
    await reloader.start();
    try {
      const before = await servedSerial();
      const renewed = issueLoopbackServerCert(stack.ca);
      writeFileSync(join(tlsDir, 'tls.crt'), renewed.certPem);
      writeFileSync(join(tlsDir, 'tls.key'), renewed.keyPem);
      expect(await reloader.checkOnce()).toEqual(['AKVSYNC_WEBHOOK_TLS_CERT_FILE/AKVSYNC_WEBHOOK_TLS_KEY_FILE']);
      expect(await servedSerial()).not.toBe(before);
      const answer = await core.createNamespacedPod({ namespace: injected, body: examplePod('10-inject-secret.deployment.yaml', 'after-renewal'), dryRun: 'All' });
      expect(answer.spec?.initContainers?.[0]?.name).toBe('akvsync-env-exec-install');
    } finally {
      await reloader.stop();
    }
  });
});
