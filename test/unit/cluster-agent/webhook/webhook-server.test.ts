/**
 * The webhook's HTTP layer and admission decision, with PodAdmission over in-memory reads: akv2k8s example 10 is
 * mutated in an opted-in namespace and nowhere else, reinvocation changes nothing, the tenancy gate and unresolvable
 * images refuse with a message naming what failed, and hostile bodies (oversize, wrong content type, malformed JSON,
 * wrong kind/version, missing uid) get well-formed errors.
 */
import fastJsonPatch from 'fast-json-patch';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { AccessGate } from '../../../../cluster-agent/tenancy/access-gate.js';
import { PodAdmission, type PodAdmissionDeps } from '../../../../cluster-agent/webhook/pod-admission.js';
import { createWebhookServer, MUTATE_PATH } from '../../../../cluster-agent/webhook/webhook-server.js';
import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { TerminalError, TransientError } from '../../../../core/errors.js';
import type { Pod } from '../../../../core/injection/pod-types.js';
import type { VaultObjectStore } from '../../../../core/ports/vault-object-store.js';
import { compileAccessPolicies } from '../../../../core/tenancy/evaluate-access.js';
import { createTestCa, issueLoopbackServerCert } from '../../../../scripts/local-stack/tls.js';
import { SETTINGS, fixtureAkvs, fixturePod } from '../../core/injection/injection-fixtures.js';

const NS_LABELS: Record<string, Record<string, string>> = {
  'akv-test': { 'akvsync.io/injection': 'enabled', team: 'a' },
  plain: {},
  'akvsync-system': { 'akvsync.io/injection': 'enabled' },
  migrating: { 'azure-key-vault-env-injection': 'enabled' },
  lenient: { 'akvsync.io/injection': 'enabled', 'akvsync.io/command-failure-policy': 'open' },
};
const TLS = issueLoopbackServerCert(createTestCa());
const inNamespace = (a: AzureKeyVaultSecret, namespace: string): AzureKeyVaultSecret => ({ ...a, metadata: { ...a.metadata, namespace } });

function admission(overrides: Partial<PodAdmissionDeps> = {}): { deps: PodAdmissionDeps; images: string[] } {
  const images: string[] = [];
  const deps: PodAdmissionDeps = {
    settings: { ...SETTINGS, acceptAkv2k8sLabel: false },
    namespaceLabels: async (ns) => NS_LABELS[ns] ?? {},
    akvsNamed: async (ns, names) => [fixtureAkvs('10-inject-secret.akvs.yaml')].filter((a) => names.includes(a.metadata.name)).map((a) => inNamespace(a, ns)),
    pullSecrets: async () => [],
    resolveImage: async ({ image }) => {
      images.push(image);
      return { entrypoint: ['/app/entry'], cmd: ['--default'] };
    },
    access: AccessGate.open({} as VaultObjectStore),
    commandFailurePolicy: 'closed',
    ...overrides,
  };
  return { deps, images };
}

function review(pod: unknown, request: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: { uid: 'uid-1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'akv-test', dryRun: false, object: pod, ...request },
  };
}

interface Answer { statusCode: number; json: Record<string, unknown>; response: Record<string, unknown> }
async function post(app: FastifyInstance, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Answer> {
  const res = await app.inject({ method: 'POST', url: MUTATE_PATH, headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });
  const json = JSON.parse(res.body) as Record<string, unknown>;
  return { statusCode: res.statusCode, json, response: (json.response ?? {}) as Record<string, unknown> };
}

const outcomes: string[] = [];
async function server(deps: PodAdmissionDeps, maxBodyBytes = 64 * 1024): Promise<FastifyInstance> {
  return createWebhookServer({ tls: TLS, admission: new PodAdmission(deps), maxBodyBytes, logger: pino({ level: 'silent' }), observe: (o) => outcomes.push(o) });
}
const patchOf = (response: Record<string, unknown>): fastJsonPatch.Operation[] => JSON.parse(Buffer.from(String(response.patch), 'base64').toString('utf8')) as fastJsonPatch.Operation[];

describe('env-injection webhook: admission', () => {
  it('mutates example 10 in an opted-in namespace with the image ENTRYPOINT/CMD, and a reinvocation changes nothing', async () => {
    const { deps, images } = admission();
    const app = await server(deps);
    const pod = fixturePod('10-inject-secret.deployment.yaml');
    const first = await post(app, review(pod));
    expect(first.statusCode).toBe(200);
    expect(first.json).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(first.response).toMatchObject({ uid: 'uid-1', allowed: true, patchType: 'JSONPatch' });
    expect(images).toEqual(['spvest/akv2k8s-env-test:2.0.1']);
    const mutated = fastJsonPatch.applyPatch(structuredClone(pod), patchOf(first.response)).newDocument as Pod;
    const container = mutated.spec.containers[0]!;
    expect(container.command?.[0]).toMatch(/^\/akvsync\//);
    const argv = JSON.stringify([...container.command ?? [], ...container.args ?? []]);
    expect(argv).toContain('"/app/entry","TEST_SECRET"'); // the image's ENTRYPOINT; args replace its CMD
    expect(argv).not.toContain('--default');
    expect(mutated.spec.initContainers?.[0]?.name).toBe('akvsync-env-exec-install');

    const again = await post(app, review(mutated, { uid: 'uid-2' }));
    expect(again.response).toEqual({ uid: 'uid-2', allowed: true });
    await app.close();
  });

  it('leaves pods alone in a namespace without the label, the agent\'s own namespace, or without a placeholder', async () => {
    const app = await server(admission().deps);
    const pod = fixturePod('10-inject-secret.deployment.yaml');
    for (const namespace of ['plain', 'akvsync-system', 'migrating']) {
      expect((await post(app, review(pod, { namespace }))).response).toEqual({ uid: 'uid-1', allowed: true });
    }
    const noPlaceholder = { ...pod, spec: { containers: [{ name: 'c', image: 'x', env: [{ name: 'A', value: 'literal' }] }] } };
    expect((await post(app, review(noPlaceholder))).response).toEqual({ uid: 'uid-1', allowed: true });
    expect((await post(app, review(pod, { operation: 'UPDATE' }))).response).toEqual({ uid: 'uid-1', allowed: true });
    expect((await post(app, review({}, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }))).response).toEqual({ uid: 'uid-1', allowed: true });
    await app.close();
  });

  it("accepts akv2k8s's namespace label only behind the setting", async () => {
    const { deps } = admission();
    const app = await server({ ...deps, settings: { ...deps.settings, acceptAkv2k8sLabel: true } });
    const answer = await post(app, review(fixturePod('10-inject-secret.deployment.yaml'), { namespace: 'migrating' }));
    expect(answer.response).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
    await app.close();
  });

  it('answers a dry-run exactly like a real request, with only reads behind it', async () => {
    const reads: string[] = [];
    const { deps } = admission();
    const app = await server({ ...deps, akvsNamed: async (ns, names) => (reads.push(`akvs ${ns}`), deps.akvsNamed(ns, names)) });
    const pod = fixturePod('10-inject-secret.deployment.yaml');
    const real = await post(app, review(pod));
    const dry = await post(app, review(pod, { dryRun: true }));
    expect(dry.response).toEqual(real.response);
    expect(reads).toEqual(['akvs akv-test', 'akvs akv-test']);
    await app.close();
  });

  it('refuses a pod that names an AzureKeyVaultSecret its namespace policy does not allow (403, names the AKVS)', async () => {
    const gate = new AccessGate({
      policies: () => compileAccessPolicies([{ name: 'team-a', spec: { namespaceSelector: { matchLabels: { team: 'a' } }, grants: [{ vault: 'other-vault', objects: ['*'] }] } }]),
      namespaceLabels: async (ns) => NS_LABELS[ns] ?? {},
      agentStore: {} as VaultObjectStore,
      storeFor: () => ({}) as VaultObjectStore,
    });
    const app = await server(admission({ access: gate }).deps);
    const answer = await post(app, review(fixturePod('10-inject-secret.deployment.yaml')));
    expect(answer.response).toMatchObject({ uid: 'uid-1', allowed: false, status: { code: 403, reason: 'Forbidden' } });
    expect(String((answer.response.status as { message: string }).message)).toContain("AzureKeyVaultSecret 'secret-inject'");
    await app.close();
  });

  it('refuses a placeholder naming a missing AzureKeyVaultSecret (422 AkvsNotFound)', async () => {
    const app = await server(admission({ akvsNamed: async () => [] }).deps);
    const answer = await post(app, review(fixturePod('10-inject-secret.deployment.yaml')));
    expect(answer.response).toMatchObject({ allowed: false, status: { code: 422, reason: 'AkvsNotFound' } });
    await app.close();
  });

  it('an unresolvable image: closed refuses naming image and reason; open (setting or namespace label) admits unchanged with a warning', async () => {
    const failing = { resolveImage: async () => { throw new TerminalError('ImageUnauthorized', 'registry refused every credential'); } };
    const closed = await server(admission(failing).deps);
    const refused = await post(closed, review(fixturePod('10-inject-secret.deployment.yaml')));
    expect(refused.response).toMatchObject({ allowed: false, status: { code: 422, reason: 'ImageUnauthorized' } });
    const message = String((refused.response.status as { message: string }).message);
    expect(message).toContain("image 'spvest/akv2k8s-env-test:2.0.1'");
    expect(message).toContain('registry refused every credential');
    await closed.close();

    const open = await server(admission({ ...failing, commandFailurePolicy: 'open' }).deps);
    const admitted = await post(open, review(fixturePod('10-inject-secret.deployment.yaml')));
    expect(admitted.response).toMatchObject({ uid: 'uid-1', allowed: true });
    expect(admitted.response.patch).toBeUndefined();
    expect(String((admitted.response.warnings as string[])[0])).toContain('spvest/akv2k8s-env-test:2.0.1');
    await open.close();

    // a namespace's label overrides the agent-wide setting
    const perNamespace = await server(admission(failing).deps);
    const lenient = await post(perNamespace, review(fixturePod('10-inject-secret.deployment.yaml'), { namespace: 'lenient' }));
    expect(lenient.response).toMatchObject({ allowed: true });
    expect(lenient.response.patch).toBeUndefined();
    await perNamespace.close();
  });

  it('a transient failure answers 503; an unexpected one "internal error" without its message', async () => {
    const transient = await server(admission({ namespaceLabels: async () => { throw new TransientError('KubernetesUnreachable', 'Kubernetes API unreachable'); } }).deps);
    expect((await post(transient, review(fixturePod('10-inject-secret.deployment.yaml')))).response).toMatchObject({ allowed: false, status: { code: 503 } });
    await transient.close();
    const broken = await server(admission({ namespaceLabels: async () => { throw new Error('secret-ish detail'); } }).deps);
    const answer = await post(broken, review(fixturePod('10-inject-secret.deployment.yaml')));
    expect(answer.response).toMatchObject({ allowed: false, status: { code: 500, message: 'akvsync webhook: internal error' } });
    expect(JSON.stringify(answer.json)).not.toContain('secret-ish');
    await broken.close();
  });
});

describe('env-injection webhook: hostile input', () => {
  let app: FastifyInstance;
  beforeAll(async () => { app = await server(admission().deps, 16 * 1024); });
  afterAll(() => app.close());

  it('refuses an oversize body with 413', async () => {
    const big = review({ spec: { containers: [{ name: 'c', env: [{ name: 'A', value: 'x'.repeat(20 * 1024) }] }] } });
    expect(await post(app, big)).toMatchObject({ statusCode: 413, json: { message: 'request body too large' } });
  });

  it('refuses a content type other than JSON with 415', async () => {
    expect(await post(app, review({}), { 'content-type': 'text/plain' })).toMatchObject({ statusCode: 415 });
    expect(await post(app, review({}), { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ statusCode: 415 });
  });

  it('refuses malformed JSON and a body that is not an object with 400', async () => {
    expect(await post(app, '{"apiVersion": "admission.k8s.io/v1", ')).toMatchObject({ statusCode: 400, json: { message: 'body is not JSON' } });
    expect((await post(app, '[1,2]')).statusCode).toBe(400);
    expect((await post(app, 'null')).statusCode).toBe(400);
  });

  it('answers a review of the wrong apiVersion or kind with allowed:false 400 when it has a uid', async () => {
    const v1beta1 = { ...review({}), apiVersion: 'admission.k8s.io/v1beta1' };
    expect(await post(app, v1beta1)).toMatchObject({ statusCode: 200, response: { uid: 'uid-1', allowed: false, status: { code: 400, reason: 'MalformedReview' } } });
    expect((await post(app, { ...review({}), kind: 'ConversionReview' })).response).toMatchObject({ allowed: false, status: { code: 400 } });
  });

  it('answers a review without uid with HTTP 400', async () => {
    const body = review({});
    delete (body.request as Record<string, unknown>).uid;
    expect(await post(app, body)).toMatchObject({ statusCode: 400, json: { message: 'malformed AdmissionReview: request.uid is missing' } });
    expect((await post(app, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' })).statusCode).toBe(400);
  });

  it('refuses a Pod CREATE whose object is not a pod (400), and counts every answer by outcome', async () => {
    outcomes.length = 0;
    const answer = await post(app, review({ spec: { containers: 'nope' } }));
    expect(answer.response).toMatchObject({ allowed: false, status: { code: 400, reason: 'MalformedReview' } });
    expect((await post(app, review({ spec: { containers: [{ image: 'no-name' }] } }))).response).toMatchObject({ allowed: false, status: { code: 400 } });
    expect(outcomes).toEqual(['bad-request', 'bad-request']);
  });

  it('serves nothing else: other paths 404, GET not allowed', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/notifications', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: MUTATE_PATH })).statusCode).toBe(404);
  });
});
