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
import { AgentMetrics } from '../../../cluster-agent/metrics.js';

let helm: string;
beforeAll(async () => {
  helm = await ensureHelm();
}, 1_200_000);

type Container = { securityContext: Record<string, unknown>; env: { name: string; value?: string }[]; ports: { name: string }[] };
type PodSpec = { securityContext: Record<string, unknown>; containers: Container[]; affinity: Record<string, unknown>; serviceAccountName: string; volumes: { name: string; secret?: { secretName: string } }[] };
const podSpec = (objects: K8sObject[]): PodSpec => (findObject(objects, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const env = (objects: K8sObject[]): Record<string, string | undefined> =>
  Object.fromEntries(podSpec(objects).containers[0]!.env.map((e) => [e.name, e.value]));
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
      'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget',
      'Role', 'RoleBinding', 'Service', 'ServiceAccount', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
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
    });
    expect(env(objects)).not.toHaveProperty('AKVSYNC_WATCH_NAMESPACES');
    expect(pod.volumes.map((v) => v.secret?.secretName).filter(Boolean)).toEqual(['akvsync-keyring', 'akvsync-notify-tls']);
    const sa = findObject(objects, 'ServiceAccount');
    expect(sa.metadata.labels).toMatchObject({ 'azure.workload.identity/use': 'true' });
    expect(sa.metadata.annotations).toEqual({ 'azure.workload.identity/client-id': BASE_VALUES.workloadIdentity.clientId });
    expect(findObject(objects, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1 });
    // no exposure by default: one ClusterIP Service, no Ingress
    expect((findObject(objects, 'Service') as unknown as { spec: { type: string } }).spec.type).toBe('ClusterIP');
  });

  it('ships the CRD from the generated file, as a template with the keep policy (so upgrades reach it)', async () => {
    const objects = await renderObjects(helm, BASE_VALUES);
    const crd = findObject(objects, 'CustomResourceDefinition');
    expect(crd.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
    const source = parse(readFileSync(join(chartDir, 'files/crds/akvsync.io_azurekeyvaultsecrets.yaml'), 'utf8')) as { spec: unknown };
    expect(crd.spec).toEqual(source.spec);
    expect(await renderObjects(helm, { ...BASE_VALUES, crds: { install: false } })).not.toContainEqual(expect.objectContaining({ kind: 'CustomResourceDefinition' }));
  });

  it('all namespaces: one ClusterRole with the generated rules, the key Secret by name in the own-namespace Role', async () => {
    const objects = await renderObjects(helm, BASE_VALUES);
    const rules = parse(readFileSync(join(chartDir, 'files/rbac/rules.yaml'), 'utf8')) as Record<string, { apiGroups: string[]; resources: string[]; verbs: string[] }[]>;
    expect(findObject(objects, 'ClusterRole', 'akvsync').rules).toEqual(rules.watchedNamespaces);
    expect(findObject(objects, 'Role', 'akvsync-own-namespace', 'akvsync-system').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['akvsync-data-hash-key'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    const policy = findObject(objects, 'ValidatingAdmissionPolicy', 'akvsync-restart-only') as unknown as { spec: { matchConditions: { expression: string }[] } };
    expect(policy.spec.matchConditions[0]!.expression).toBe("request.userInfo.username == 'system:serviceaccount:akvsync-system:akvsync-agent'");
  });

  it('namespace-scoped: Roles in the watched namespaces only, no ClusterRole, the list passed to the agent', async () => {
    const objects = await renderObjects(helm, { ...BASE_VALUES, watchNamespaces: ['team-a', 'team-b'] });
    expect(objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toEqual([]);
    const roles = objects.filter((o) => o.kind === 'Role').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(roles).toEqual(['akvsync-system/akvsync-own-namespace', 'team-a/akvsync', 'team-b/akvsync']);
    expect(findObject(objects, 'RoleBinding', 'akvsync', 'team-a').subjects).toEqual([{ kind: 'ServiceAccount', name: 'akvsync-agent', namespace: 'akvsync-system' }]);
    expect(env(objects).AKVSYNC_WATCH_NAMESPACES).toBe('team-a,team-b');
  });

  it.each([
    ['all namespaces', []],
    ['a namespace list', ['team-a', 'team-b']],
  ])('RBAC and the restart-only policy for %s equal renderAgentRbac (what the agent\'s integration suite runs under)', async (_what, watchNamespaces) => {
    const objects = await renderObjects(helm, { ...BASE_VALUES, watchNamespaces });
    const rbacKinds = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    const strip = (o: K8sObject): unknown => ({ ...o, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } });
    const key = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const fromChart = objects.filter((o) => rbacKinds.has(o.kind)).map(strip);
    const fromSource = renderAgentRbac({
      name: 'akvsync', namespace: 'akvsync-system', serviceAccount: 'akvsync-agent', watchNamespaces, names: { dataHashKeySecret: 'akvsync-data-hash-key' },
    }).map((r) => strip(r.object as unknown as K8sObject));
    const sort = (list: unknown[]): unknown[] => [...list].sort((a, b) => key(a as K8sObject).localeCompare(key(b as K8sObject)));
    expect(sort(fromChart)).toEqual(sort(fromSource));
  });

  it('queue mode: no notify endpoint, no TLS, no notify port anywhere', async () => {
    const objects = await renderObjects(helm, { workloadIdentity: BASE_VALUES.workloadIdentity, notify: { mode: 'queue' } });
    expect(env(objects)).toMatchObject({ AKVSYNC_NOTIFY_ENABLED: 'false' });
    expect(env(objects)).not.toHaveProperty('AKVSYNC_TLS_CERT_FILE');
    expect(podSpec(objects).containers[0]!.ports.map((p) => p.name)).toEqual(['metrics']);
    expect(JSON.stringify(objects.filter((o) => o.kind === 'Service' || o.kind === 'NetworkPolicy'))).not.toContain('notify');
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
    ['an exposure in queue mode', { notify: { mode: 'queue', exposure: { type: 'Ingress' } } }, "at '/notify/exposure/type'"],
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
