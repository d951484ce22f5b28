/**
 * cluster-agent/chart renders what the agent needs for each way of running it (helm lint, helm template with the
 * helm built from the Go module proxy), and values.schema.json refuses a wrong value before anything renders.
 * Applying the rendered objects to the real apiserver: chart-apply.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BASE_VALUES, chartDir, ensureHelm, findObject, helmTemplate, KUBE_VERSION, renderObjects, runCommand, valuesFile } from './chart-tools.js';
import type { K8sObject } from './chart-tools.js';
import { renderAgentRbac } from '../../../cluster-agent/rbac/render-agent-rbac.js';
import type { AgentFeature } from '../../../cluster-agent/rbac/agent-rbac-rules.js';
import { AgentMetrics } from '../../../cluster-agent/metrics.js';

let helm: string;
beforeAll(async () => {
  helm = await ensureHelm();
}, 1_200_000);

type EnvVar = { name: string; value?: string; valueFrom?: Record<string, unknown> };
type Container = { securityContext: Record<string, unknown>; env: EnvVar[]; ports: { name: string }[]; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] };
type PodSpec = { securityContext: Record<string, unknown>; containers: Container[]; affinity: Record<string, unknown>; serviceAccountName: string; volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[] };
const podSpec = (objects: K8sObject[]): PodSpec => (findObject(objects, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const env = (objects: K8sObject[]): Record<string, string | undefined> =>
  Object.fromEntries(podSpec(objects).containers[0]!.env.map((e) => [e.name, e.value]));
const envVar = (objects: K8sObject[], name: string): EnvVar | undefined => podSpec(objects).containers[0]!.env.find((e) => e.name === name);
const QUEUE = { name: 'akvsync-c1', serviceUrl: 'https://acct.queue.core.windows.net' };
const kinds = (objects: K8sObject[]): string[] => objects.map((o) => o.kind).sort();

describe('the akvsync chart', () => {
  it('passes helm lint', async () => {
    const result = await runCommand(helm, ['lint', chartDir, '--strict', '--kube-version', KUBE_VERSION, '--values', valuesFile(BASE_VALUES)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('push mode (default): the agent Deployment, hardened and spread, with its identity, keyring and TLS', async () => {
    const objects = await renderObjects(helm, BASE_VALUES);
    expect(kinds(objects)).toEqual([
      'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'CustomResourceDefinition', 'Deployment', 'MutatingWebhookConfiguration', 'NetworkPolicy', 'PodDisruptionBudget',
      'Role', 'RoleBinding', 'Service', 'Service', 'ServiceAccount', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
    ]);
    const deployment = findObject(objects, 'Deployment', 'akvsync') as unknown as { spec: { replicas: number; template: { metadata: { labels: Record<string, string> } } } };
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    const pod = podSpec(objects);
    expect(pod.serviceAccountName).toBe('akvsync-agent'); // the name infra/'s federated credential trusts
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]!.securityContext).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.affinity).toHaveProperty('podAntiAffinity');
    expect(env(objects)).toMatchObject({
      AKVSYNC_NOTIFY_ENABLED: 'true', AKVSYNC_NOTIFY_PORT: '8443', AKVSYNC_TLS_CERT_FILE: '/etc/akvsync/tls/tls.crt',
      AKVSYNC_SIGNING_KEYS_FILE: '/etc/akvsync/keyring/keys.json', AKVSYNC_DATA_HASH_KEY_SECRET: 'akvsync-data-hash-key',
      AKVSYNC_LEADER_ELECTION: 'true', AKVSYNC_LEADER_ELECTION_LEASE: 'akvsync-agent', AKVSYNC_ACCESS_POLICY: 'none',
    });
    expect(envVar(objects, 'AKVSYNC_POD_NAME')!.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(envVar(objects, 'AKVSYNC_POD_IP')!.valueFrom).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    for (const name of ['AKVSYNC_WATCH_NAMESPACES', 'AKVSYNC_QUEUE_NAME', 'AKVSYNC_ACCESS_POLICY_FILE', 'AKVSYNC_TENANT_TOKEN_EXPIRATION', 'AKVSYNC_OBJECT_LABELS']) {
      expect(env(objects)).not.toHaveProperty(name);
    }
    expect(pod.volumes.map((v) => v.secret?.secretName).filter(Boolean)).toEqual(['akvsync-keyring', 'akvsync-notify-tls']);
    const sa = findObject(objects, 'ServiceAccount');
    expect(sa.metadata.labels).toMatchObject({ 'azure.workload.identity/use': 'true' });
    expect(sa.metadata.annotations).toEqual({ 'azure.workload.identity/client-id': BASE_VALUES.workloadIdentity.clientId });
    expect(findObject(objects, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1 });
    // no exposure by default: one ClusterIP Service, no Ingress
    expect((findObject(objects, 'Service') as unknown as { spec: { type: string } }).spec.type).toBe('ClusterIP');
  });

  it('ships both CRDs from the generated files, as templates with the keep policy (so upgrades reach them)', async () => {
    const objects = await renderObjects(helm, BASE_VALUES);
    for (const [name, file] of [['azurekeyvaultsecrets.akvsync.io', 'akvsync.io_azurekeyvaultsecrets.yaml'], ['azurekeyvaultaccesspolicies.akvsync.io', 'akvsync.io_azurekeyvaultaccesspolicies.yaml']]) {
      const crd = findObject(objects, 'CustomResourceDefinition', name);
      expect(crd.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
      const source = parse(readFileSync(join(chartDir, 'files/crds', file!), 'utf8')) as { spec: unknown };
      expect(crd.spec).toEqual(source.spec);
    }
    expect(await renderObjects(helm, { ...BASE_VALUES, crds: { install: false } })).not.toContainEqual(expect.objectContaining({ kind: 'CustomResourceDefinition' }));
  });

  it('all namespaces: one ClusterRole, the key Secret and the leader Lease by name in the own-namespace Role', async () => {
    const objects = await renderObjects(helm, { ...BASE_VALUES, leaderElection: { leaseName: 'my-lease' } });
    expect(findObject(objects, 'ClusterRole', 'akvsync').rules).not.toContainEqual(expect.objectContaining({ resources: ['serviceaccounts/token'] }));
    expect(findObject(objects, 'Role', 'akvsync-own-namespace', 'akvsync-system').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['akvsync-data-hash-key'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['my-lease'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'update'], resourceNames: ['akvsync-webhook-tls'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    expect(env(objects).AKVSYNC_LEADER_ELECTION_LEASE).toBe('my-lease');
    const policy = findObject(objects, 'ValidatingAdmissionPolicy', 'akvsync-restart-only') as unknown as { spec: { matchConditions: { expression: string }[] } };
    expect(policy.spec.matchConditions[0]!.expression).toBe("request.userInfo.username == 'system:serviceaccount:akvsync-system:akvsync-agent'");
  });

  it('namespace-scoped: Roles in the watched namespaces, a ClusterRole only for cluster-scoped reads (its own CRD; with the webhook its reviews, its configuration, the watched namespaces by name), the list passed to the agent', async () => {
    const crdRule = { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'], resourceNames: ['azurekeyvaultsecrets.akvsync.io'] };
    const off = await renderObjects(helm, { ...BASE_VALUES, webhook: { enabled: false }, watchNamespaces: ['team-a', 'team-b'] });
    expect(off.filter((o) => o.kind === 'ClusterRole').map((o) => (o as unknown as { rules: unknown }).rules)).toEqual([[crdRule]]);
    const objects = await renderObjects(helm, { ...BASE_VALUES, watchNamespaces: ['team-a', 'team-b'] });
    const clusterRules = findObject(objects, 'ClusterRole', 'akvsync-cluster').rules as { resources: string[]; resourceNames?: string[] }[];
    expect(clusterRules.map((r) => r.resources[0]).sort()).toEqual(['customresourcedefinitions', 'mutatingwebhookconfigurations', 'namespaces', 'tokenreviews']);
    expect(clusterRules.find((r) => r.resources[0] === 'namespaces')?.resourceNames).toEqual(['team-a', 'team-b']);
    const roles = objects.filter((o) => o.kind === 'Role').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(roles).toEqual(['akvsync-system/akvsync-own-namespace', 'team-a/akvsync', 'team-b/akvsync']);
    expect(findObject(objects, 'RoleBinding', 'akvsync', 'team-a').subjects).toEqual([{ kind: 'ServiceAccount', name: 'akvsync-agent', namespace: 'akvsync-system' }]);
    expect(env(objects).AKVSYNC_WATCH_NAMESPACES).toBe('team-a,team-b');
  });

  const NO_TENANCY = ['tenant-access-policy', 'tenant-namespace-labels', 'tenant-identity'] as const;
  const NO_WEBHOOK = ['env-injection-admission', 'image-pull-secrets', 'env-exec-token-review', 'env-injection-webhook', 'webhook-tls-secret'] as const;
  const NO_AGENT_TLS = ['env-injection-webhook', 'webhook-tls-secret'] as const;
  // Off by default: akv2k8s's objects (akv2k8sNamespaces) and Argo Rollouts (argoRollouts.enabled).
  const NO_COMPAT = ['akv2k8s-objects', 'argo-rollouts'] as const;
  it.each([
    ['all namespaces, no access policy, leader election', { watchNamespaces: [] }, [...NO_TENANCY]],
    ['a namespace list, no access policy, leader election', { watchNamespaces: ['team-a', 'team-b'] }, [...NO_TENANCY]],
    ['all namespaces, access policy crd (all three tenancy features)', { accessPolicy: { mode: 'crd' } }, []],
    ['a namespace list, access policy crd', { watchNamespaces: ['team-a'], accessPolicy: { mode: 'crd' } }, []],
    ['a namespace list, access policy file (no policy rule)', { watchNamespaces: ['team-a'], accessPolicy: { mode: 'file', file: { content: 'x' } } }, ['tenant-access-policy']],
    ['all namespaces, access policy file, no leader election', { accessPolicy: { mode: 'file', file: { content: 'x' } }, leaderElection: { enabled: false } }, ['tenant-access-policy', 'leader-election']],
    ['a namespace list, no leader election', { watchNamespaces: ['team-a'], leaderElection: { enabled: false } }, [...NO_TENANCY, 'leader-election']],
    ['webhook off', { webhook: { enabled: false } }, [...NO_TENANCY, ...NO_WEBHOOK]],
    ['a namespace list, webhook TLS by cert-manager', { watchNamespaces: ['team-a'], webhook: { tls: { mode: 'certManager' } } }, [...NO_TENANCY, ...NO_AGENT_TLS]],
    ['a namespace list handed over from akv2k8s, Argo Rollouts', { watchNamespaces: ['team-a', 'team-b'], akv2k8sNamespaces: ['team-b'], argoRollouts: { enabled: true } }, [...NO_TENANCY]],
  ] as [string, { watchNamespaces?: string[] }, AgentFeature[]][])('RBAC and the restart-only policy for %s equal renderAgentRbac (what the agent\'s integration suite runs under)', async (_what, values, disabled) => {
    const objects = await renderObjects(helm, { ...BASE_VALUES, ...values, leaderElection: { leaseName: 'the-lease', ...(values as { leaderElection?: object }).leaderElection } });
    const rbacKinds = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    const strip = (o: K8sObject): unknown => ({ ...o, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } });
    const key = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const fromChart = objects.filter((o) => rbacKinds.has(o.kind)).map(strip);
    const compat = values as { akv2k8sNamespaces?: string[]; argoRollouts?: { enabled: boolean } };
    const compatOff = NO_COMPAT.filter((f) => (f === 'akv2k8s-objects' ? !compat.akv2k8sNamespaces?.length : !compat.argoRollouts?.enabled));
    const fromSource = renderAgentRbac({
      name: 'akvsync', namespace: 'akvsync-system', serviceAccount: 'akvsync-agent', watchNamespaces: values.watchNamespaces ?? [], disabled: [...disabled, ...compatOff],
      names: { dataHashKeySecret: 'akvsync-data-hash-key', leaderElectionLease: 'the-lease', webhookConfiguration: 'akvsync-env-injection', webhookTlsSecret: 'akvsync-webhook-tls' },
    }).map((r) => strip(r.object as unknown as K8sObject));
    const sort = (list: unknown[]): unknown[] => [...list].sort((a, b) => key(a as K8sObject).localeCompare(key(b as K8sObject)));
    expect(sort(fromChart)).toEqual(sort(fromSource));
    // the modes differ where they should: the Lease only with leader election, tenancy rules only with a policy
    const rendered = JSON.stringify(fromChart);
    expect(rendered.includes('"leases"')).toBe(!disabled.includes('leader-election'));
    expect(rendered.includes('azurekeyvaultaccesspolicies')).toBe(!disabled.includes('tenant-access-policy'));
    expect(rendered.includes('serviceaccounts/token')).toBe(!disabled.includes('tenant-identity'));
    expect(rendered.includes('"namespaces"')).toBe(!disabled.includes('tenant-namespace-labels') || !disabled.includes('env-injection-admission'));
    expect(rendered.includes('mutatingwebhookconfigurations')).toBe(!disabled.includes('env-injection-webhook'));
    expect([rendered.includes('"spv.no"'), rendered.includes('"rollouts"')]).toEqual(NO_COMPAT.map((f) => !compatOff.includes(f)));
    if (compat.akv2k8sNamespaces) expect(env(objects).AKVSYNC_AKV2K8S_NAMESPACES).toBe(compat.akv2k8sNamespaces.join(','));
  });

  it('tenancy, leader election off and object labels reach the agent\'s settings; a policy file is mounted read-only', async () => {
    const file = await renderObjects(helm, { ...BASE_VALUES, accessPolicy: { mode: 'file', file: { content: 'kind: AzureKeyVaultAccessPolicy\n' }, tenantTokenExpiration: '2h' }, leaderElection: { enabled: false }, objectLabels: 'team=a,tier!=dev' });
    expect(env(file)).toMatchObject({
      AKVSYNC_ACCESS_POLICY: 'file', AKVSYNC_ACCESS_POLICY_FILE: '/etc/akvsync/access-policy/access-policies.yaml', AKVSYNC_TENANT_TOKEN_EXPIRATION: '2h',
      AKVSYNC_LEADER_ELECTION: 'false', AKVSYNC_OBJECT_LABELS: 'team=a,tier!=dev',
    });
    expect(env(file)).not.toHaveProperty('AKVSYNC_LEADER_ELECTION_LEASE');
    expect(podSpec(file).containers[0]!.volumeMounts).toContainEqual({ name: 'access-policy', mountPath: '/etc/akvsync/access-policy', readOnly: true });
    expect(podSpec(file).volumes.find((v) => v.name === 'access-policy')!.configMap!.name).toBe('akvsync-access-policy');
    expect((findObject(file, 'ConfigMap', 'akvsync-access-policy') as unknown as { data: Record<string, string> }).data).toEqual({ 'access-policies.yaml': 'kind: AzureKeyVaultAccessPolicy\n' });
    const own = await renderObjects(helm, { ...BASE_VALUES, accessPolicy: { mode: 'file', file: { configMapName: 'team-policies', key: 'p.yaml' } } });
    expect(own.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    expect(podSpec(own).volumes.find((v) => v.name === 'access-policy')!.configMap!.name).toBe('team-policies');
    expect(env(own).AKVSYNC_ACCESS_POLICY_FILE).toBe('/etc/akvsync/access-policy/p.yaml');
    const crd = await renderObjects(helm, { ...BASE_VALUES, accessPolicy: { mode: 'crd' } });
    expect(env(crd)).toMatchObject({ AKVSYNC_ACCESS_POLICY: 'crd', AKVSYNC_TENANT_TOKEN_EXPIRATION: '1h' });
    expect(env(crd)).not.toHaveProperty('AKVSYNC_ACCESS_POLICY_FILE');
  });

  it('leader election with a NetworkPolicy: replicas may reach each other\'s notify port (the hand-off to the leader)', async () => {
    const peers = [{ ipBlock: { cidr: '203.0.113.0/24' } }];
    type Np = { spec: { ingress: { ports: { port: string }[]; from?: unknown[] }[]; egress: { ports: { port: string | number }[]; to?: unknown[] }[] } };
    const self = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'akvsync', 'app.kubernetes.io/instance': 'akvsync', 'app.kubernetes.io/component': 'agent' } } };
    const on = findObject(await renderObjects(helm, { ...BASE_VALUES, networkPolicy: { notifyFrom: peers } }), 'NetworkPolicy') as unknown as Np;
    expect(on.spec.ingress[0]!.from).toEqual([...peers, self]);
    expect(on.spec.egress).toContainEqual({ ports: [{ port: 'notify', protocol: 'TCP' }], to: [self] });
    const off = findObject(await renderObjects(helm, { ...BASE_VALUES, leaderElection: { enabled: false }, networkPolicy: { notifyFrom: peers } }), 'NetworkPolicy') as unknown as Np;
    expect(off.spec.ingress[0]!.from).toEqual(peers);
    expect(off.spec.egress).toHaveLength(1);
  });

  it('queue mode: the queue consumer\'s settings, no notify endpoint, no TLS, no notify port anywhere', async () => {
    const objects = await renderObjects(helm, { workloadIdentity: BASE_VALUES.workloadIdentity, notify: { mode: 'queue' }, queue: QUEUE });
    expect(env(objects)).toMatchObject({
      AKVSYNC_NOTIFY_ENABLED: 'false', AKVSYNC_QUEUE_NAME: 'akvsync-c1', AKVSYNC_QUEUE_SERVICE_URL: QUEUE.serviceUrl,
      AKVSYNC_QUEUE_VISIBILITY_TIMEOUT: '30', AKVSYNC_QUEUE_MAX_DEQUEUE_COUNT: '5',
    });
    expect(env(objects)).not.toHaveProperty('AKVSYNC_QUEUE_CONNECTION_STRING');
    expect(env(objects)).not.toHaveProperty('AKVSYNC_TLS_CERT_FILE');
    expect(podSpec(objects).containers[0]!.ports.map((p) => p.name)).toEqual(['metrics', 'webhook']); // the webhook port is internal
    expect(JSON.stringify(objects.filter((o) => o.kind === 'Service' || o.kind === 'NetworkPolicy'))).not.toContain('notify');
  });

  it('queue beside push (queue.enabled), with the connection string from a Secret, never inline', async () => {
    const queue = { enabled: true, name: 'akvsync-c1', connectionStringSecret: { name: 'queue-conn' }, visibilityTimeout: 60, maxDequeueCount: 7 };
    const objects = await renderObjects(helm, { ...BASE_VALUES, queue });
    expect(env(objects)).toMatchObject({ AKVSYNC_NOTIFY_ENABLED: 'true', AKVSYNC_QUEUE_NAME: 'akvsync-c1', AKVSYNC_QUEUE_VISIBILITY_TIMEOUT: '60', AKVSYNC_QUEUE_MAX_DEQUEUE_COUNT: '7' });
    expect(envVar(objects, 'AKVSYNC_QUEUE_CONNECTION_STRING')).toEqual({ name: 'AKVSYNC_QUEUE_CONNECTION_STRING', valueFrom: { secretKeyRef: { name: 'queue-conn', key: 'connectionString' } } });
    expect(env(objects)).not.toHaveProperty('AKVSYNC_QUEUE_SERVICE_URL');
  });

  it('notify exposure: a LoadBalancer Service with the notify port only, or an Ingress for the notify route only', async () => {
    const lb = await renderObjects(helm, { ...BASE_VALUES, notify: { ...BASE_VALUES.notify, exposure: { type: 'LoadBalancer', loadBalancer: { loadBalancerSourceRanges: ['203.0.113.0/24'] } } } });
    const outside = findObject(lb, 'Service', 'akvsync-notify') as unknown as { spec: { type: string; ports: { name: string }[]; loadBalancerSourceRanges: string[] } };
    expect(outside.spec.type).toBe('LoadBalancer');
    expect(outside.spec.ports.map((p) => p.name)).toEqual(['notify']);
    expect(outside.spec.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
    const ing = await renderObjects(helm, { ...BASE_VALUES, notify: { ...BASE_VALUES.notify, exposure: { type: 'Ingress', ingress: { host: 'akvsync.example.com', className: 'nginx' } } } });
    const ingress = findObject(ing, 'Ingress') as unknown as { spec: { rules: { host: string; http: { paths: { path: string; pathType: string }[] } }[] } };
    expect(ingress.spec.rules).toEqual([expect.objectContaining({ host: 'akvsync.example.com' })]);
    expect(ingress.spec.rules[0]!.http.paths.map((p) => `${p.pathType} ${p.path}`)).toEqual(['Exact /v1/notifications']);
  });

  it('metrics: a ServiceMonitor on the metrics port and a PrometheusRule on the agent\'s metrics when asked', async () => {
    expect(kinds(await renderObjects(helm, BASE_VALUES))).not.toContain('ServiceMonitor');
    const objects = await renderObjects(helm, { ...BASE_VALUES, metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } }, prometheusRule: { enabled: true } } });
    const monitor = findObject(objects, 'ServiceMonitor') as unknown as { metadata: { labels: Record<string, string> }; spec: { endpoints: { port: string }[] } };
    expect(monitor.metadata.labels.release).toBe('prom');
    expect(monitor.spec.endpoints[0]!.port).toBe('metrics');
    const rule = JSON.stringify(findObject(objects, 'PrometheusRule'));
    for (const metric of ['akvsync_reconcile_errors_total', 'akvsync_expiry_warnings_total', 'akvsync_notifications_total', 'akvsync_queue_depth']) expect(rule).toContain(metric);
  });

  it('the Grafana dashboard ConfigMap, and every metric the alerts and panels use is one the agent registers', async () => {
    const objects = await renderObjects(helm, { ...BASE_VALUES, metrics: { prometheusRule: { enabled: true }, grafanaDashboard: { enabled: true } } });
    const configMap = findObject(objects, 'ConfigMap', 'akvsync-dashboard') as unknown as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(configMap.data['akvsync-agent.json']!) as { panels: { targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    const registered = new Set((await new AgentMetrics(() => 0).registry.getMetricsAsJSON()).map((m) => m.name));
    const used = `${JSON.stringify(dashboard)} ${JSON.stringify(findObject(objects, 'PrometheusRule'))}`.match(/akvsync_[a-z_]+/g)!;
    const unknown = [...new Set(used.map((m) => m.replace(/_(bucket|sum|count)$/, '')))].filter((m) => !registered.has(m));
    expect(unknown).toEqual([]);
    expect(new Set(used).size).toBeGreaterThanOrEqual(9);
  });

  it.each([
    ['an unknown notify mode', { notify: { mode: 'pull' } }, "at '/notify/mode'"],
    ['zero replicas', { replicaCount: 0 }, "at '/replicaCount'"],
    ['a misspelt key', { replicas: 2 }, "additional properties 'replicas' not allowed"],
    ['push mode without the TLS Secret', { notify: { tlsSecretName: '' } }, "at '/notify/tlsSecretName'"],
    ['workload identity without a client id', { workloadIdentity: { clientId: '' } }, "at '/workloadIdentity/clientId'"],
    ['a watched namespace that is no DNS label', { watchNamespaces: ['Team_A'] }, "at '/watchNamespaces/0'"],
    ['an exposure in queue mode', { notify: { mode: 'queue', exposure: { type: 'Ingress' } }, queue: QUEUE }, "at '/notify/exposure/type'"],
    ['queue mode without a queue name', { notify: { mode: 'queue' }, queue: { serviceUrl: QUEUE.serviceUrl } }, "at '/queue/name'"],
    ['queue mode with both a service URL and a connection string', { queue: { ...QUEUE, enabled: true, connectionStringSecret: { name: 'c' } } }, "at '/queue'"],
    ['queue mode with neither a service URL nor a connection string', { queue: { enabled: true, name: 'akvsync-c1' } }, "at '/queue'"],
    ['a queue name that is no Storage Queue name', { queue: { ...QUEUE, enabled: true, name: 'a--b' } }, "at '/queue/name'"],
    ['an unknown access policy mode', { accessPolicy: { mode: 'rbac' } }, "at '/accessPolicy/mode'"],
    ['a policy file mode without the file', { accessPolicy: { mode: 'file' } }, "at '/accessPolicy/file'"],
    ['a lease name that is no DNS subdomain', { leaderElection: { leaseName: 'Lease_1' } }, "at '/leaderElection/leaseName'"],
    ['an unknown webhook failure policy', { webhook: { failurePolicy: 'Retry' } }, "at '/webhook/failurePolicy'"],
    ['a webhook timeout over the apiserver\'s 30 s', { webhook: { timeoutSeconds: 60 } }, "at '/webhook/timeoutSeconds'"],
    ['an unknown webhook TLS mode', { webhook: { tls: { mode: 'vault' } } }, "at '/webhook/tls/mode'"],
    ['a caBundle value (the chart never templates one)', { webhook: { caBundle: 'LS0t' } }, "additional properties 'caBundle' not allowed"],
  ])('refuses %s (values.schema.json), rendering nothing', async (_what, override, field) => {
    const values = { ...BASE_VALUES, ...override, ...('notify' in override ? { notify: { ...BASE_VALUES.notify, ...override.notify } } : {}),
      ...('workloadIdentity' in override ? { workloadIdentity: override.workloadIdentity } : {}) };
    const result = await helmTemplate(helm, values);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('values don\'t meet the specifications of the schema');
    expect(result.stderr).toContain(field);
  });
});
