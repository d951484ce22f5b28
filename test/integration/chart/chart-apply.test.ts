/**
 * The chart's rendered objects against the real kube-apiserver (local stack): every value set passes server-side
 * apply with dry-run=server (real schema, RBAC and admission validation); a real `helm install` gives the agent's
 * ServiceAccount exactly its rights (a write outside them is refused, the restart-only policy refuses a workload
 * change); and `helm upgrade` upgrades a changed CRD, which `helm uninstall` keeps (both CRDs).
 *
 * ServiceMonitor and PrometheusRule are left out of the apply: their CRDs (prometheus-operator) are not installed on
 * the local stack. The stack's own CRDs are not owned by a release, so real installs here pass
 * crds.install=false; the upgrade test installs a copy of the chart whose CRDs have their own group.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { RESTART_ONLY_MESSAGE } from '../../../cluster-agent/rbac/restart-only-policy.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { getTestStack } from '../support/stack-client.js';
import { BASE_VALUES, chartDir, ensureHelm, renderObjects, runCommand, valuesFile } from './chart-tools.js';
import type { CommandResult, K8sObject } from './chart-tools.js';

/** Kinds whose CRDs the local stack does not have. */
const NOT_INSTALLED_KINDS = new Set(['ServiceMonitor', 'PrometheusRule']);

let helm: string;
beforeAll(async () => {
  helm = await ensureHelm();
}, 1_200_000);

const kubectl = (args: string[], input?: string): Promise<CommandResult> =>
  runCommand(getTestStack().kubectl, ['--kubeconfig', getTestStack().kubeconfigPath, ...args], input === undefined ? {} : { input });
const toYamlStream = (objects: K8sObject[]): string => objects.map((o) => `---\n${stringify(o)}`).join('');

/** `helm install/upgrade` does not take --kube-version: it asks the apiserver. */
function helmCluster(args: string[]): Promise<CommandResult> {
  return runCommand(helm, [...args, '--kubeconfig', getTestStack().kubeconfigPath]);
}

describe('the akvsync chart on the real apiserver', () => {
  it('every value set applies server-side (dry-run=server): push, exposures, queue, namespace-scoped, tenancy, metrics', async () => {
    const stack = getTestStack();
    const namespace = await stack.createNamespace('chart-dry-run');
    const teamA = await stack.createNamespace('chart-team-a');
    const teamB = await stack.createNamespace('chart-team-b');
    const valueSets: Record<string, unknown> = {
      push: BASE_VALUES,
      loadBalancer: { ...BASE_VALUES, notify: { ...BASE_VALUES.notify, exposure: { type: 'LoadBalancer' } } },
      ingress: { ...BASE_VALUES, notify: { ...BASE_VALUES.notify, exposure: { type: 'Ingress', ingress: { host: 'akvsync.example.com', tlsSecretName: 'notify-ingress-tls' } } } },
      queue: { workloadIdentity: BASE_VALUES.workloadIdentity, notify: { mode: 'queue' }, queue: { name: 'akvsync-c1', serviceUrl: 'https://acct.queue.core.windows.net' } },
      namespaceScoped: { ...BASE_VALUES, watchNamespaces: [teamA, teamB] },
      accessPolicyCrd: { ...BASE_VALUES, watchNamespaces: [teamA], accessPolicy: { mode: 'crd' } },
      accessPolicyFile: { ...BASE_VALUES, accessPolicy: { mode: 'file', file: { content: 'kind: AzureKeyVaultAccessPolicy\n' } }, leaderElection: { enabled: false }, objectLabels: 'team=a' },
      metrics: { ...BASE_VALUES, metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } } },
    };
    for (const [name, values] of Object.entries(valueSets)) {
      const objects = await renderObjects(helm, values, { namespace, release: `akvsync-${name.toLowerCase()}` });
      const applied = objects.filter((o) => !NOT_INSTALLED_KINDS.has(o.kind));
      if (name === 'metrics') expect(objects.filter((o) => NOT_INSTALLED_KINDS.has(o.kind)).map((o) => o.kind).sort()).toEqual(['PrometheusRule', 'ServiceMonitor']);
      const result = await kubectl(['apply', '--server-side', '--force-conflicts', '--dry-run=server', '--field-manager', 'akvsync-chart-test', '-f', '-'], toYamlStream(applied));
      expect({ name, stderr: result.stderr, code: result.code }).toEqual({ name, stderr: '', code: 0 });
      expect(result.stdout.trim().split('\n')).toHaveLength(applied.length);
    }
  }, 180_000);

  it('helm install (namespace-scoped): the ServiceAccount may do what the agent does there, and nothing else', async () => {
    const stack = getTestStack();
    const namespace = await stack.createNamespace('chart-install');
    const watched = await stack.createNamespace('chart-watched');
    const other = await stack.createNamespace('chart-other');
    const release = `akvsync-${namespace.slice(-6)}`;
    const install = await helmCluster(['install', release, chartDir, '--namespace', namespace, '--values',
      valuesFile({ ...BASE_VALUES, crds: { install: false }, watchNamespaces: [watched] })]);
    expect({ stderr: install.stderr, code: install.code }).toEqual({ stderr: '', code: 0 });
    const as = ['--as', `system:serviceaccount:${namespace}:akvsync-agent`];
    try {
      // the authorizer learns new bindings from a watch: wait for the first allowed write
      await waitUntil('the chart\'s Role to allow a ConfigMap write in the watched namespace', async () => {
        const allowed = await kubectl([...as, 'create', 'configmap', 'written-by-agent', '-n', watched, '--from-literal', 'k=v']);
        return allowed.code === 0 ? allowed : undefined;
      }, { timeoutMs: 15_000, intervalMs: 100 });
      const elsewhere = await kubectl([...as, 'create', 'configmap', 'outside', '-n', other, '--from-literal', 'k=v']);
      expect(elsewhere.code).not.toBe(0);
      expect(elsewhere.stderr).toContain(`cannot create resource "configmaps" in API group "" in the namespace "${other}"`);
      // delete only in the watched namespaces (the lifecycle's clean-up of outputs the agent alone wrote)
      expect((await kubectl([...as, 'auth', 'can-i', 'delete', 'configmaps', '-n', other])).stdout.trim()).toBe('no');
      const remove = await kubectl([...as, 'delete', 'configmap', 'written-by-agent', '-n', watched]);
      expect({ stderr: remove.stderr, code: remove.code }).toEqual({ stderr: '', code: 0 });
      const otherSecret = await kubectl([...as, 'get', 'secret', 'not-the-key', '-n', namespace]);
      expect(otherSecret.stderr).toContain('cannot get resource "secrets"');
      // leader election (on by default): the Lease the values name, and no other
      const canI = async (verb: string, resource: string): Promise<string> => (await kubectl([...as, 'auth', 'can-i', verb, resource, '-n', namespace])).stdout.trim();
      expect(await canI('update', 'leases/akvsync-agent')).toBe('yes');
      expect(await canI('update', 'leases/another-lease')).toBe('no');
      expect(await canI('create', 'serviceaccounts/token')).toBe('no'); // no access policy: no tenant tokens
      // patch on a Deployment is granted, but the restart-only policy lets through nothing but the restart annotation
      const created = await kubectl(['create', 'deployment', 'app', '-n', watched, '--image', 'example.invalid/app:1']);
      expect(created.code).toBe(0);
      // as the agent does it (a merge patch, no get: kubectl patch would get first); a new replicas value each
      // attempt, since the policy compares with the old object and a repeated value would pass
      const apps = stack.kubeConfigImpersonating(namespace, 'akvsync-agent').makeApiClient(AppsV1Api);
      const patch = (body: object): Promise<unknown> =>
        apps.patchNamespacedDeployment({ namespace: watched, name: 'app', body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      let replicas = 1;
      const refusal = await waitUntil('the restart-only policy to refuse a replicas change', async () => {
        try {
          await patch({ spec: { replicas: ++replicas } });
          return undefined;
        } catch (error) {
          return String((error as { body?: unknown }).body ?? error);
        }
      }, { timeoutMs: 15_000, intervalMs: 250 });
      expect(refusal).toContain(RESTART_ONLY_MESSAGE);
      await patch({ spec: { template: { metadata: { annotations: { 'restart.akvsync.io/chart-test': '1' } } } } });
    } finally {
      await helmCluster(['uninstall', release, '--namespace', namespace]);
    }
  }, 120_000);

  it('helm upgrade applies a changed CRD; helm uninstall keeps it', async () => {
    const stack = getTestStack();
    const namespace = await stack.createNamespace('chart-upgrade');
    const group = `${namespace}.akvsync.test`;
    const crdName = `azurekeyvaultsecrets.${group}`;
    // a copy of the chart whose CRDs have a group of their own, so the stack's real CRDs are not touched
    const copy = join(mkdtempSync(join(tmpdir(), 'akvsync-chart-upgrade-')), 'chart');
    cpSync(chartDir, copy, { recursive: true });
    const policyCrdFile = join(copy, 'files/crds/akvsync.io_azurekeyvaultaccesspolicies.yaml');
    const policyCrd = parse(readFileSync(policyCrdFile, 'utf8')) as { metadata: { name: string }; spec: { group: string; names: { plural: string } } };
    const policyCrdName = `${policyCrd.spec.names.plural}.${group}`;
    policyCrd.metadata.name = policyCrdName;
    policyCrd.spec.group = group;
    writeFileSync(policyCrdFile, stringify(policyCrd));
    const crdFile = join(copy, 'files/crds/akvsync.io_azurekeyvaultsecrets.yaml');
    const crd = parse(readFileSync(crdFile, 'utf8')) as { metadata: { name: string }; spec: { group: string; versions: { additionalPrinterColumns: { name: string; type: string; jsonPath: string }[] }[] } };
    crd.metadata.name = crdName;
    crd.spec.group = group;
    writeFileSync(crdFile, stringify(crd));
    const values = valuesFile({ ...BASE_VALUES, restartOnlyPolicy: { enabled: false } });
    const release = `akvsync-${namespace.slice(-6)}`;
    const columns = async (): Promise<string[]> => {
      const got = await kubectl(['get', 'crd', crdName, '-o', 'json']);
      expect(got.code).toBe(0);
      return (JSON.parse(got.stdout) as typeof crd).spec.versions[0]!.additionalPrinterColumns.map((c) => c.name);
    };
    try {
      const install = await helmCluster(['install', release, copy, '--namespace', namespace, '--values', values]);
      expect({ stderr: install.stderr, code: install.code }).toEqual({ stderr: '', code: 0 });
      expect(await columns()).not.toContain('Upgraded');

      crd.spec.versions[0]!.additionalPrinterColumns.push({ name: 'Upgraded', type: 'string', jsonPath: '.status.syncedVersion' });
      writeFileSync(crdFile, stringify(crd));
      const upgrade = await helmCluster(['upgrade', release, copy, '--namespace', namespace, '--values', values]);
      expect({ stderr: upgrade.stderr, code: upgrade.code }).toEqual({ stderr: '', code: 0 });
      expect(await columns()).toContain('Upgraded');

      const uninstall = await helmCluster(['uninstall', release, '--namespace', namespace]);
      expect(uninstall.code).toBe(0);
      expect(uninstall.stdout + uninstall.stderr).toContain(crdName); // helm names the kept resources
      expect(uninstall.stdout + uninstall.stderr).toContain(policyCrdName);
      expect(await columns()).toContain('Upgraded');
      expect((await kubectl(['get', 'crd', policyCrdName])).code).toBe(0);
    } finally {
      await kubectl(['delete', 'crd', crdName, policyCrdName, '--ignore-not-found']);
    }
  }, 180_000);
});
