/**
 * Least privilege on the real apiserver: the agent runs impersonating its ServiceAccount with exactly the generated
 * rules (cluster-agent/rbac/), and everything outside them is refused — by RBAC (a Secret in a namespace it does not
 * watch, other Secrets of its own namespace, creating or deleting workloads) and by the restart-only
 * ValidatingAdmissionPolicy (any workload change but a restart.akvsync.io/ pod-template annotation).
 */
import { request } from 'node:https';
import { AdmissionregistrationV1Api, AppsV1Api, AuthorizationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { KubeClusterApi } from '../../../cluster-agent/adapters/kube-cluster-api.js';
import { renderAgentRbac } from '../../../cluster-agent/rbac/render-agent-rbac.js';
import { RESTART_ONLY_MESSAGE, WORKLOAD_SPEC_FIELDS } from '../../../cluster-agent/rbac/restart-only-policy.js';
import { getTestStack } from '../support/stack-client.js';
import { decode, startAgentHarness, waitFor } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

const stack = getTestStack();
const adminCore = stack.kubeConfig.makeApiClient(CoreV1Api);
const adminApps = stack.kubeConfig.makeApiClient(AppsV1Api);
const statusOf = (error: unknown): number | undefined => (error as { code?: number }).code;
const refusal = async (call: Promise<unknown>): Promise<{ status: number | undefined; body: string }> =>
  call.then(() => ({ status: 200, body: '' }), (error: unknown) => ({ status: statusOf(error), body: String((error as { body?: unknown }).body ?? '') }));

function deployment(name: string, secretName?: string): V1Deployment {
  return {
    metadata: { name, labels: { app: name }, annotations: { 'akvsync.io/reload': 'true' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: { 'example.com/keep': 'me' } },
        spec: { containers: [{ name, image: 'registry.invalid/app:1', ...(secretName ? { envFrom: [{ secretRef: { name: secretName } }] } : {}) }] },
      },
    },
  };
}

describe('agent least privilege: a namespace list (Roles only), own namespace apart', () => {
  let h: AgentHarness;
  let agentNs: string;
  let watched: string;
  let unwatched: string;
  let agentCore: CoreV1Api;
  let agentApps: AppsV1Api;
  let cluster: KubeClusterApi;

  beforeAll(async () => {
    agentNs = await stack.createNamespace('agent-home');
    unwatched = await stack.createNamespace('not-watched');
    await adminCore.createNamespacedSecret({ namespace: agentNs, body: { metadata: { name: 'not-the-key' }, stringData: { a: 'b' } } });
    h = await startAgentHarness({ agentNamespace: agentNs });
    watched = h.namespaces[0] as string;
    const kubeConfig = h.rbac?.kubeConfig;
    if (!kubeConfig) throw new Error('the harness ran the agent without its RBAC');
    agentCore = kubeConfig.makeApiClient(CoreV1Api);
    agentApps = kubeConfig.makeApiClient(AppsV1Api);
    cluster = new KubeClusterApi(kubeConfig, { now: () => Date.now() }, new Uint8Array(32).fill(7));
  });
  afterAll(async () => {
    await cluster?.close();
    await h?.stop();
    for (const name of [agentNs, unwatched]) await adminCore.deleteNamespace({ name }).catch(() => undefined);
  });

  it('syncs under exactly the generated Roles (the only cluster-scoped right: get of its own CRD), the key Secret read and created in its own namespace', async () => {
    h.emulator.setSecret('kv1', 'db-password', 'hunter2');
    await h.createAkvs(watched, 'db', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'password' } } });
    await waitFor('Secret written', async () => (decode(await h.readSecret(watched, 'db'), 'password') === 'hunter2' ? true : undefined));
    expect(await h.readSecret(agentNs, 'akvsync-data-hash-key')).toBeDefined();
    expect(h.rbac?.options.watchNamespaces).toEqual([watched]);
    const clusterRoles = renderAgentRbac(h.rbac!.options).map((r) => r.object).filter((o) => o.kind === 'ClusterRole');
    expect(clusterRoles.map((o) => o.rules)).toEqual([[
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'], resourceNames: ['azurekeyvaultsecrets.akvsync.io'] },
    ]]);
  });

  it('refuses a Secret write or read in a namespace it does not watch, also through the agent\'s own adapter', async () => {
    expect((await refusal(agentCore.createNamespacedSecret({ namespace: unwatched, body: { metadata: { name: 'x' }, stringData: { a: 'b' } } }))).status).toBe(403);
    expect((await refusal(agentCore.readNamespacedSecret({ namespace: unwatched, name: 'default-token' }))).status).toBe(403);
    expect((await refusal(agentCore.listSecretForAllNamespaces())).status).toBe(403);
    await expect(cluster.applyOutput({
      kind: 'Secret', namespace: unwatched, name: 'stolen', fieldManager: 'akvsync/x', labels: {}, annotations: {}, data: { k: Buffer.from('v') },
    } as never)).rejects.toMatchObject({ code: 'KubernetesForbidden' });
    await expect(adminCore.readNamespacedSecret({ namespace: unwatched, name: 'stolen' })).rejects.toMatchObject({ code: 404 });
  });

  it('reads no Secret of its own namespace but the data-hash key (resourceNames)', async () => {
    expect((await refusal(agentCore.readNamespacedSecret({ namespace: agentNs, name: 'akvsync-data-hash-key' }))).status).toBe(200);
    expect((await refusal(agentCore.readNamespacedSecret({ namespace: agentNs, name: 'not-the-key' }))).status).toBe(403);
    expect((await refusal(agentCore.listNamespacedSecret({ namespace: agentNs }))).status).toBe(403);
    expect((await refusal(agentCore.patchNamespacedSecret({ namespace: agentNs, name: 'not-the-key', body: { metadata: { labels: { a: 'b' } } } }))).status).toBe(403);
  });

  it('may neither create nor delete workloads (RBAC)', async () => {
    expect((await refusal(agentApps.createNamespacedDeployment({ namespace: watched, body: deployment('made-by-agent') }))).status).toBe(403);
    await adminApps.createNamespacedDeployment({ namespace: watched, body: deployment('victim') });
    expect((await refusal(agentApps.deleteNamespacedDeployment({ namespace: watched, name: 'victim' }))).status).toBe(403);
    expect((await refusal(agentApps.readNamespacedDeployment({ namespace: watched, name: 'victim' }))).status).toBe(403);
  });

  it('changes nothing of a workload but a restart.akvsync.io/ pod-template annotation (ValidatingAdmissionPolicy)', async () => {
    await adminApps.createNamespacedDeployment({ namespace: watched, body: deployment('web') });
    const ref = { kind: 'Deployment', namespace: watched, name: 'web' } as const;
    // The policy is enforced once the apiserver has loaded it: until then this (forbidden) patch goes through.
    let attempt = 0;
    const refused = await waitFor('the restart-only policy enforced', async () => {
      const r = await refusal(agentApps.patchNamespacedDeployment({ namespace: watched, name: 'web', body: { spec: { replicas: 2 + (attempt++ % 2) } } }, mergePatch));
      return r.status === 200 ? undefined : r;
    });
    expect(refused).toEqual({ status: 403, body: expect.stringContaining(RESTART_ONLY_MESSAGE) });
    await adminApps.patchNamespacedDeployment({ namespace: watched, name: 'web', body: { spec: { replicas: 1 } } }, mergePatch);

    // What a restart writes is admitted, through the agent's own adapter, and a second one with a new value too.
    await cluster.patchPodTemplateAnnotation(ref, 'restart.akvsync.io/secret-db', 'hash-1');
    await cluster.patchPodTemplateAnnotation(ref, 'restart.akvsync.io/secret-db', 'hash-2');
    const after = await adminApps.readNamespacedDeployment({ namespace: watched, name: 'web' });
    expect(after.spec?.template.metadata?.annotations).toEqual({ 'example.com/keep': 'me', 'restart.akvsync.io/secret-db': 'hash-2' });

    // Anything else is refused, and leaves the Deployment as it was.
    await expect(cluster.patchPodTemplateAnnotation(ref, 'example.com/other', 'x')).rejects.toMatchObject({ code: 'KubernetesForbidden' });
    const forbidden: Record<string, unknown>[] = [
      { spec: { template: { metadata: { annotations: { 'example.com/keep': 'changed' } } } } },
      { spec: { template: { metadata: { annotations: { 'example.com/keep': null } } } } },
      { spec: { template: { metadata: { labels: { extra: 'label' } } } } },
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.invalid/evil:1' }] } } } },
      { spec: { replicas: 5 } },
      { spec: { paused: true } },
      { metadata: { labels: { extra: 'label' } } },
      { metadata: { annotations: { 'akvsync.io/reload': 'false' } } },
    ];
    for (const body of forbidden) {
      const r = await refusal(agentApps.patchNamespacedDeployment({ namespace: watched, name: 'web', body }, mergePatch));
      expect({ body, status: r.status, refusedByPolicy: r.body.includes(RESTART_ONLY_MESSAGE) }).toEqual({ body, status: 403, refusedByPolicy: true });
    }
    const unchanged = await adminApps.readNamespacedDeployment({ namespace: watched, name: 'web' });
    expect(unchanged.metadata?.generation).toBe(after.metadata?.generation);

    // The policy binds the agent only: the admin may still change the Deployment.
    await adminApps.patchNamespacedDeployment({ namespace: watched, name: 'web', body: { spec: { replicas: 3 } } }, mergePatch);

    // Every CEL expression type-checks against the workload schemas (the apiserver reports problems in the status).
    const policyName = `${h.rbac?.options.name ?? ''}-restart-only`;
    const policy = await stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api).readValidatingAdmissionPolicy({ name: policyName });
    expect(policy.status?.typeChecking?.expressionWarnings ?? []).toEqual([]);
  });

  it('holds for StatefulSets and DaemonSets too: the restart admitted, a spec change refused', async () => {
    const template = deployment('x').spec!.template;
    const selector = { matchLabels: { app: 'x' } };
    await adminApps.createNamespacedStatefulSet({ namespace: watched, body: { metadata: { name: 'db' }, spec: { serviceName: 'db', selector, template } } });
    await adminApps.createNamespacedDaemonSet({ namespace: watched, body: { metadata: { name: 'agent' }, spec: { selector, template } } });
    for (const ref of [{ kind: 'StatefulSet', namespace: watched, name: 'db' }, { kind: 'DaemonSet', namespace: watched, name: 'agent' }] as const) {
      await cluster.patchPodTemplateAnnotation(ref, 'restart.akvsync.io/secret-db', 'hash-1');
      const body = { spec: { minReadySeconds: 7 } };
      const r = ref.kind === 'StatefulSet'
        ? await refusal(agentApps.patchNamespacedStatefulSet({ namespace: watched, name: ref.name, body }, mergePatch))
        : await refusal(agentApps.patchNamespacedDaemonSet({ namespace: watched, name: ref.name, body }, mergePatch));
      expect({ kind: ref.kind, status: r.status, message: r.body.includes(`${RESTART_ONLY_MESSAGE}: ${ref.kind} spec`) }).toEqual({ kind: ref.kind, status: 403, message: true });
    }
    expect((await adminApps.readNamespacedStatefulSet({ namespace: watched, name: 'db' })).spec?.template.metadata?.annotations?.['restart.akvsync.io/secret-db']).toBe('hash-1');
    expect((await adminApps.readNamespacedDaemonSet({ namespace: watched, name: 'agent' })).spec?.minReadySeconds ?? 0).toBe(0);
  });

  it('names every spec field of each workload kind the apiserver serves (so a new field cannot slip past the policy)', async () => {
    const doc = JSON.parse(await adminGet('/openapi/v3/apis/apps/v1')) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    for (const [kind, fields] of Object.entries(WORKLOAD_SPEC_FIELDS)) {
      const served = Object.keys(doc.components.schemas[`io.k8s.api.apps.v1.${kind}Spec`]?.properties ?? {}).filter((f) => f !== 'template').sort();
      expect({ kind, fields: [...fields].sort() }).toEqual({ kind, fields: served });
    }
  });

  it('has no right in any namespace it does not watch (SubjectAccessReview)', async () => {
    const authz = stack.kubeConfig.makeApiClient(AuthorizationV1Api);
    const ask = async (verb: string, resource: string, namespace: string, group = ''): Promise<boolean> => {
      const review = await authz.createSubjectAccessReview({ body: { spec: { user: h.rbac?.username ?? '', groups: ['system:serviceaccounts', `system:serviceaccounts:${agentNs}`, 'system:authenticated'], resourceAttributes: { verb, resource, namespace, group } } } });
      return review.status?.allowed === true;
    };
    for (const [verb, resource, group] of [
      ['get', 'secrets', ''], ['list', 'configmaps', ''], ['patch', 'deployments', 'apps'], ['create', 'events', ''], ['list', 'azurekeyvaultsecrets', 'akvsync.io'],
      ['delete', 'secrets', ''], ['watch', 'configmaps', ''], ['patch', 'azurekeyvaultsecrets', 'akvsync.io'],
    ] as const) {
      expect({ verb, resource, allowed: await ask(verb, resource, unwatched, group) }).toEqual({ verb, resource, allowed: false });
      expect({ verb, resource, allowed: await ask(verb, resource, watched, group) }).toEqual({ verb, resource, allowed: true });
    }
    // Cluster-scoped: its own CRD may be read (the uninstall check), no other, and none may be changed.
    const askCrd = async (verb: string, name: string): Promise<boolean> => (await authz.createSubjectAccessReview({ body: { spec: {
      user: h.rbac?.username ?? '', groups: ['system:serviceaccounts', 'system:authenticated'],
      resourceAttributes: { verb, resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io', name },
    } } })).status?.allowed === true;
    expect(await askCrd('get', 'azurekeyvaultsecrets.akvsync.io')).toBe(true);
    expect(await askCrd('get', 'azurekeyvaultaccesspolicies.akvsync.io')).toBe(false);
    expect(await askCrd('delete', 'azurekeyvaultsecrets.akvsync.io')).toBe(false);
    expect(await askCrd('patch', 'azurekeyvaultsecrets.akvsync.io')).toBe(false);
  });
});

describe('agent least privilege: all namespaces (the generated ClusterRole)', () => {
  let h: AgentHarness;
  afterAll(async () => {
    await h?.stop();
  });

  it('syncs and restarts with the ClusterRole instead of Roles', async () => {
    h = await startAgentHarness({ rbac: 'all-namespaces' });
    const ns = h.namespaces[0] as string;
    const kinds = renderAgentRbac(h.rbac!.options).map((r) => String(r.object.kind));
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    h.emulator.setSecret('kv1', 'token', 'one');
    await h.createAkvs(ns, 'token', { vault: { name: 'kv1', object: { name: 'token', type: 'secret' } }, output: { secret: { name: 'token', dataKey: 'token' } } });
    await waitFor('Secret written', async () => (decode(await h.readSecret(ns, 'token'), 'token') === 'one' ? true : undefined));
    await adminApps.createNamespacedDeployment({ namespace: ns, body: deployment('app', 'token') });
    const { version } = h.emulator.setSecret('kv1', 'token', 'two');
    expect((await h.notify(h.notification({ objectName: 'token', version }))).status).toBe(202);
    await waitFor('restart annotation written', async () => {
      const d = await adminApps.readNamespacedDeployment({ namespace: ns, name: 'app' });
      return Object.keys(d.spec?.template.metadata?.annotations ?? {}).some((k) => k.startsWith('restart.akvsync.io/')) ? true : undefined;
    });
    expect(decode(await h.readSecret(ns, 'token'), 'token')).toBe('two');
  });
});

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** GET on the apiserver with the admin credentials (a path no generated client covers). */
async function adminGet(path: string): Promise<string> {
  const options: { ca?: unknown; cert?: unknown; key?: unknown; headers?: Record<string, string> } = {};
  await stack.kubeConfig.applyToHTTPSOptions(options as never);
  return new Promise((resolve, reject) => {
    const req = request(`${stack.server}${path}`, { ...(options as object), method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
