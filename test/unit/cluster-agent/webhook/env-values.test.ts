/**
 * `POST /v1/env` with in-memory reads: only a token reviewed for `<prefix><container>` and bound to the stored pod
 * (same uid, same ServiceAccount) gets values, and only those its stored spec declares for that container; a policy
 * refusal, a missing Bearer token and a bad body get nothing. Values never appear in error answers.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { AccessGate } from '../../../../cluster-agent/tenancy/access-gate.js';
import { ENV_PATH, ENV_WATCH_PATH } from '../../../../cluster-agent/webhook/env-route.js';
import { EnvValues, type EnvValuesDeps, type ReviewedToken } from '../../../../cluster-agent/webhook/env-values.js';
import { PodAdmission } from '../../../../cluster-agent/webhook/pod-admission.js';
import { createWebhookServer } from '../../../../cluster-agent/webhook/webhook-server.js';
import { TransientError } from '../../../../core/errors.js';
import type { Pod } from '../../../../core/injection/pod-types.js';
import type { VaultObjectStore } from '../../../../core/ports/vault-object-store.js';
import { compileAccessPolicies } from '../../../../core/tenancy/evaluate-access.js';
import { createTestCa, issueLoopbackServerCert } from '../../../../scripts/local-stack/tls.js';
import { SETTINGS, fixtureAkvs } from '../../core/injection/injection-fixtures.js';
import { InMemoryVaultObjectStore } from '../support/in-memory-vault-object-store.js';

const VALUE = 'the-injected-value-never-in-errors';
const TLS = issueLoopbackServerCert(createTestCa());
const POD: Pod = {
  metadata: { name: 'app-1', namespace: 'akv-test', uid: 'uid-1' },
  spec: {
    containers: [
      { name: 'main', env: [{ name: 'TEST_SECRET', value: 'secret-inject@azurekeyvault' }, { name: 'PLAIN', value: 'x' }] },
      { name: 'sidecar', env: [] },
    ],
  },
};
const TOKENS: Record<string, ReviewedToken> = {
  'token-main': { namespace: 'akv-test', serviceAccount: 'default', podName: 'app-1', podUid: 'uid-1' },
  'token-old-pod': { namespace: 'akv-test', serviceAccount: 'default', podName: 'app-1', podUid: 'uid-0' },
  'token-other-sa': { namespace: 'akv-test', serviceAccount: 'builder', podName: 'app-1', podUid: 'uid-1' },
  'token-other-ns': { namespace: 'team-b', serviceAccount: 'default', podName: 'app-1', podUid: 'uid-1' },
  'token-agent-ns': { namespace: 'akvsync-system', serviceAccount: 'default', podName: 'app-1', podUid: 'uid-1' },
};

function deps(overrides: Partial<EnvValuesDeps> = {}): EnvValuesDeps {
  const store = new InMemoryVaultObjectStore();
  store.set('akv2k8s-test', 'my-secret', VALUE);
  return {
    settings: SETTINGS,
    namespaceLabels: async (ns): Promise<Record<string, string>> => (ns === 'akv-test' || ns === 'akvsync-system' ? { 'akvsync.io/injection': 'enabled' } : {}),
    // the token is valid only for the audience of container 'main'
    reviewToken: async (token, audience) => (audience === `${SETTINGS.tokenAudiencePrefix}main` || audience === `${SETTINGS.tokenAudiencePrefix}sidecar` ? TOKENS[token] : undefined),
    readPod: async (ns, name) => (name === 'app-1' ? { ...POD, metadata: { ...POD.metadata, namespace: ns } } : undefined),
    akvsNamed: async (ns, names) => [fixtureAkvs('10-inject-secret.akvs.yaml')].filter((a) => names.includes(a.metadata.name)).map((a) => ({ ...a, metadata: { ...a.metadata, namespace: ns } })),
    access: AccessGate.open(store),
    ...overrides,
  };
}

async function server(d: EnvValuesDeps): Promise<FastifyInstance> {
  return createWebhookServer({ tls: TLS, admission: new PodAdmission({} as never), envValues: new EnvValues(d), maxBodyBytes: 16 * 1024, logger: pino({ level: 'silent' }) });
}
async function ask(app: FastifyInstance, token: string | undefined, body: unknown): Promise<{ status: number; body: string }> {
  const res = await app.inject({ method: 'POST', url: ENV_PATH, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: JSON.stringify(body) });
  return { status: res.statusCode, body: res.body };
}

describe('POST /v1/env', () => {
  it("answers the bound pod's container with exactly the variables its stored spec declares", async () => {
    const app = await server(deps());
    expect(await ask(app, 'token-main', { container: 'main' })).toEqual({ status: 200, body: JSON.stringify({ variables: { TEST_SECRET: VALUE }, versions: { 'secret-inject': null } }) });
    await app.close();
  });

  it.each([
    ['a token for another container\'s audience', 'token-main', 'other', 401],
    ['a token of a deleted pod of the same name (uid)', 'token-old-pod', 'main', 403],
    ['a token of another ServiceAccount', 'token-other-sa', 'main', 403],
    ['a token of another namespace (not opted in)', 'token-other-ns', 'main', 403],
    ["a token from the agent's own namespace", 'token-agent-ns', 'main', 403],
    ['an unknown token', 'forged', 'main', 401],
    ['a container without placeholders', 'token-main', 'sidecar', 404],
  ])('gives nothing to %s', async (_what, token, container, status) => {
    const app = await server(deps());
    const answer = await ask(app, token, { container });
    expect(answer.status).toBe(status);
    expect(answer.body).not.toContain(VALUE);
    await app.close();
  });

  it('refuses an AzureKeyVaultSecret the namespace policy does not allow (403), and a missing token or bad body', async () => {
    const gate = new AccessGate({
      policies: () => compileAccessPolicies([{ name: 'p', spec: { namespaceSelector: {}, grants: [{ vault: 'another-vault', objects: ['*'] }] } }]),
      namespaceLabels: async () => ({}), agentStore: {} as VaultObjectStore, storeFor: () => ({}) as VaultObjectStore,
    });
    const app = await server(deps({ access: gate }));
    const refused = await ask(app, 'token-main', { container: 'main' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("AzureKeyVaultSecret 'secret-inject'");
    expect((await ask(app, undefined, { container: 'main' })).status).toBe(401);
    expect((await ask(app, 'token-main', { container: 7 })).status).toBe(400);
    expect((await ask(app, 'token-main', [])).status).toBe(400);
    await app.close();
  });

  it('answers 503 with Retry-After when TokenReview is unavailable', async () => {
    const app = await server(deps({ reviewToken: async () => { throw new TransientError('KubernetesUnavailable', 'Kubernetes API failed'); } }));
    const res = await app.inject({ method: 'POST', url: ENV_PATH, headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, payload: '{"container":"main"}' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    await app.close();
  });
});

describe('file mode: POST /v1/env for akvsync-files and POST /v1/env/watch', () => {
  const FILES_POD: Pod = {
    metadata: { name: 'app-1', namespace: 'akv-test', uid: 'uid-1', annotations: { 'akvsync.io/inject-file-password': 'secret-inject@azurekeyvault', 'akvsync.io/inject-files-refresh': 'true' } },
    spec: { initContainers: [{ name: 'akvsync-files' }], containers: [{ name: 'main' }] },
  };
  const filesDeps = (overrides: Partial<EnvValuesDeps> = {}): EnvValuesDeps => deps({
    readPod: async () => FILES_POD,
    reviewToken: async (token, audience) => (audience === `${SETTINGS.tokenAudiencePrefix}akvsync-files` ? TOKENS[token] : undefined),
    ...overrides,
  });
  const watch = async (app: FastifyInstance, body: unknown): Promise<{ status: number; body: string }> => {
    const res = await app.inject({ method: 'POST', url: ENV_WATCH_PATH, headers: { 'content-type': 'application/json', authorization: 'Bearer token-main' }, payload: JSON.stringify(body) });
    return { status: res.statusCode, body: res.body };
  };

  it('answers the files the stored pod\'s annotations plan, keyed by file name', async () => {
    const app = await server(filesDeps());
    expect(await ask(app, 'token-main', { container: 'akvsync-files' })).toEqual({ status: 200, body: JSON.stringify({ variables: { password: VALUE }, versions: { 'secret-inject': null } }) });
    await app.close();
  });

  it('a container with the reserved name but no files container in the pod gets no files', async () => {
    const app = await server(filesDeps({ readPod: async () => ({ ...FILES_POD, spec: { containers: [{ name: 'akvsync-files' }] } }) }));
    expect((await ask(app, 'token-main', { container: 'akvsync-files' })).status).toBe(404);
    await app.close();
  });

  it('answers changed at once when the status already shows another version, without waiting', async () => {
    const waits: unknown[] = [];
    const synced = { ...fixtureAkvs('10-inject-secret.akvs.yaml'), status: { syncedVersion: 'v2' } };
    const app = await server(filesDeps({
      akvsNamed: async () => [synced as never],
      versionWatch: { waitForChange: async (...args) => { waits.push(args); return false; } },
    }));
    expect(await watch(app, { container: 'akvsync-files', versions: { 'secret-inject': 'v1' } })).toEqual({ status: 200, body: '{"changed":true}' });
    expect(waits).toEqual([]);
    await app.close();
  });

  it('otherwise waits on the namespace\'s version watch with what it has now, and passes its answer on', async () => {
    const waits: unknown[][] = [];
    const synced = { ...fixtureAkvs('10-inject-secret.akvs.yaml'), status: { syncedVersion: 'v1' } };
    const app = await server(filesDeps({
      akvsNamed: async () => [synced as never],
      versionWatch: { waitForChange: async (...args) => { waits.push(args.slice(0, 3)); return true; } },
    }));
    expect(await watch(app, { container: 'akvsync-files', versions: { 'secret-inject': 'v1' } })).toEqual({ status: 200, body: '{"changed":true}' });
    expect(waits).toEqual([['akv-test', { 'secret-inject': 'v1' }, 25_000]]);
    await app.close();
  });

  it.each([
    ['no versions', { container: 'akvsync-files' }, 400],
    ['versions that are not strings', { container: 'akvsync-files', versions: { a: 1 } }, 400],
    ['a token not bound to this container', { container: 'main', versions: {} }, 401],
  ])('refuses %s', async (_what, body, status) => {
    const app = await server(filesDeps({ versionWatch: { waitForChange: async () => true } }));
    expect((await watch(app, body)).status).toBe(status);
    await app.close();
  });

  it('answers 404 when this agent serves no version watch', async () => {
    const app = await server(filesDeps({ akvsNamed: async () => [{ ...fixtureAkvs('10-inject-secret.akvs.yaml'), status: { syncedVersion: 'v1' } } as never] }));
    expect((await watch(app, { container: 'akvsync-files', versions: { 'secret-inject': 'v1' } })).status).toBe(404);
    await app.close();
  });
});
