/**
 * The chart's env-injection webhook: the MutatingWebhookConfiguration as issue #10 asks (v1 reviews, timeout,
 * namespace opt-in label, the release namespace and kube-system excluded, IfNeeded, no side effects, configurable
 * failure policy, objectSelector) and never a caBundle; its Service and port; the agent's TLS settings or cert-manager's
 * Certificate/Issuer and inject-ca-from; nothing of it with the webhook off. Every value set lints and applies
 * server-side (dry-run). A real `helm install`, the leader's caBundle and Secret written by the agent's own code under
 * the chart's names, then `helm upgrade` with changed values: the caBundle and the certificate Secret are kept.
 */
import { CoreV1Api, AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { createLogger } from '../../../cluster-agent/logger.js';
import { systemScheduler } from '../../../cluster-agent/ports/scheduler.js';
import { kubeCaBundlePatcher } from '../../../cluster-agent/webhook-tls/ca-bundle-patcher.js';
import { WebhookTlsRotator } from '../../../cluster-agent/webhook-tls/webhook-tls-rotator.js';
import { WebhookTlsSecret } from '../../../cluster-agent/webhook-tls/webhook-tls-secret.js';
import { getTestStack } from '../support/stack-client.js';
import { BASE_VALUES, chartDir, ensureHelm, findObject, KUBE_VERSION, renderObjects, runCommand, valuesFile } from './chart-tools.js';
import type { CommandResult, K8sObject } from './chart-tools.js';

let helm: string;
beforeAll(async () => {
  helm = await ensureHelm();
}, 1_200_000);

type Webhook = {
  name: string; admissionReviewVersions: string[]; sideEffects: string; timeoutSeconds: number; failurePolicy: string; reinvocationPolicy: string;
  clientConfig: { service: { name: string; namespace: string; port: number; path: string }; caBundle?: string };
  rules: unknown[]; namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] }; objectSelector?: unknown;
};
const webhooks = (objects: K8sObject[]): Webhook[] => (findObject(objects, 'MutatingWebhookConfiguration') as unknown as { webhooks: Webhook[] }).webhooks;
type Container = { env: { name: string; value?: string }[]; ports: { name: string; containerPort: number }[]; volumeMounts: { name: string; mountPath: string }[] };
const agent = (objects: K8sObject[]): Container => (findObject(objects, 'Deployment') as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0]!;
const env = (objects: K8sObject[]): Record<string, string | undefined> => Object.fromEntries(agent(objects).env.map((e) => [e.name, e.value]));
const CERT_MANAGER_KINDS = new Set(['Certificate', 'Issuer']);
const CERT_MANAGER = { ...BASE_VALUES, webhook: { ...BASE_VALUES.webhook, tls: { mode: 'certManager' } } };
const WEBHOOK_OFF = { ...BASE_VALUES, webhook: { enabled: false } };

describe('the chart\'s env-injection webhook', () => {
  it('registers pod CREATE for opted-in namespaces (never its own or kube-system), without a caBundle, behind its own Service', async () => {
    const objects = await renderObjects(helm, { ...BASE_VALUES, webhook: { ...BASE_VALUES.webhook, failurePolicy: 'Ignore', timeoutSeconds: 7 } });
    const [hook, ...others] = webhooks(objects);
    expect(others).toEqual([]);
    expect(hook).toMatchObject({
      name: 'env-injection.akvsync.io', admissionReviewVersions: ['v1'], sideEffects: 'None', timeoutSeconds: 7, failurePolicy: 'Ignore', reinvocationPolicy: 'IfNeeded',
      clientConfig: { service: { name: 'akvsync-webhook', namespace: 'akvsync-system', port: 443, path: '/mutate' } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
      objectSelector: BASE_VALUES.webhook.objectSelector,
    });
    expect(hook!.namespaceSelector.matchExpressions).toEqual([
      { key: 'akvsync.io/injection', operator: 'In', values: ['enabled'] },
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['akvsync-system', 'kube-system'] },
    ]);
    expect(JSON.stringify(objects)).not.toContain('caBundle');
    const service = findObject(objects, 'Service', 'akvsync-webhook') as unknown as { spec: { ports: unknown[] } };
    expect(service.spec.ports).toEqual([{ name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' }]);
    expect(agent(objects).ports).toContainEqual({ name: 'webhook', containerPort: 9443, protocol: 'TCP' });
    expect(env(objects)).toMatchObject({
      AKVSYNC_WEBHOOK_ENABLED: 'true', AKVSYNC_WEBHOOK_PORT: '9443', AKVSYNC_WEBHOOK_TLS_MODE: 'agent', AKVSYNC_WEBHOOK_TLS_SECRET: 'akvsync-webhook-tls',
      AKVSYNC_WEBHOOK_SERVICE: 'akvsync-webhook', AKVSYNC_WEBHOOK_CONFIGURATION: 'akvsync-env-injection', AKVSYNC_WEBHOOK_ROTATION_OVERLAP: '15m',
      AKVSYNC_ENV_AGENT_URL: 'https://akvsync-webhook.akvsync-system.svc', AKVSYNC_ENV_EXEC_IMAGE: expect.stringMatching(/^ghcr\.io\/akvsync\/akvsync-agent:/),
    });
    const np = findObject(objects, 'NetworkPolicy') as unknown as { spec: { ingress: { ports: { port: string }[] }[] } };
    expect(np.spec.ingress.flatMap((i) => i.ports.map((p) => p.port))).toContain('webhook');
  });

  it('with akv2k8s\'s label accepted: a second entry for namespaces labelled only with it', async () => {
    const objects = await renderObjects(helm, { ...BASE_VALUES, webhook: { ...BASE_VALUES.webhook, acceptAkv2k8sLabel: true } });
    const second = webhooks(objects)[1]!;
    expect(second.name).toBe('env-injection-akv2k8s.akvsync.io');
    expect(second.namespaceSelector.matchExpressions).toEqual([
      { key: 'azure-key-vault-env-injection', operator: 'In', values: ['enabled'] },
      { key: 'akvsync.io/injection', operator: 'NotIn', values: ['enabled'] },
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['akvsync-system', 'kube-system'] },
    ]);
    expect(env(objects).AKVSYNC_INJECTION_ACCEPT_AKV2K8S_LABEL).toBe('true');
  });

  it('cert-manager: a self-signed CA Issuer pair and the serving Certificate (or only that, from a given issuer), inject-ca-from, the files mounted', async () => {
    const objects = await renderObjects(helm, CERT_MANAGER);
    const mwc = findObject(objects, 'MutatingWebhookConfiguration');
    expect(mwc.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'akvsync-system/akvsync-webhook' });
    expect(objects.filter((o) => CERT_MANAGER_KINDS.has(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`).sort())
      .toEqual(['Certificate/akvsync-webhook', 'Certificate/akvsync-webhook-ca', 'Issuer/akvsync-selfsigned', 'Issuer/akvsync-webhook-ca']);
    expect(findObject(objects, 'Certificate', 'akvsync-webhook').spec).toMatchObject({
      secretName: 'akvsync-webhook-tls', dnsNames: ['akvsync-webhook.akvsync-system.svc', 'akvsync-webhook.akvsync-system.svc.cluster.local'],
      issuerRef: { name: 'akvsync-webhook-ca', kind: 'Issuer' },
    });
    expect(env(objects)).toMatchObject({
      AKVSYNC_WEBHOOK_TLS_MODE: 'files', AKVSYNC_WEBHOOK_TLS_CERT_FILE: '/etc/akvsync/webhook-tls/tls.crt', AKVSYNC_ENV_CA_FILE: '/etc/akvsync/webhook-tls/ca.crt',
    });
    expect(env(objects)).not.toHaveProperty('AKVSYNC_WEBHOOK_CONFIGURATION');
    expect(agent(objects).volumeMounts).toContainEqual({ name: 'webhook-tls', mountPath: '/etc/akvsync/webhook-tls', readOnly: true });
    expect(JSON.stringify(objects)).not.toContain('caBundle');
    const given = await renderObjects(helm, { ...CERT_MANAGER, webhook: { ...CERT_MANAGER.webhook, tls: { mode: 'certManager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } } } });
    expect(given.filter((o) => CERT_MANAGER_KINDS.has(o.kind)).map((o) => o.kind)).toEqual(['Certificate']);
    expect(findObject(given, 'Certificate').spec).toMatchObject({ issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } });
  });

  it('webhook off: no configuration, Service, port, certificate or webhook rights', async () => {
    const objects = await renderObjects(helm, WEBHOOK_OFF);
    expect(objects.map((o) => o.kind)).not.toContain('MutatingWebhookConfiguration');
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['akvsync']);
    expect(env(objects).AKVSYNC_WEBHOOK_ENABLED).toBe('false');
    expect(Object.keys(env(objects)).filter((k) => k.startsWith('AKVSYNC_WEBHOOK_') || k.startsWith('AKVSYNC_ENV_'))).toEqual(['AKVSYNC_WEBHOOK_ENABLED']);
    const rules = JSON.stringify(objects.filter((o) => o.kind.endsWith('Role')));
    for (const resource of ['mutatingwebhookconfigurations', 'tokenreviews', '"pods"', 'akvsync-webhook-tls']) expect(rules).not.toContain(resource);
  });

  it('lints and applies server-side (dry-run) for the webhook value sets: agent TLS, cert-manager, akv2k8s label, webhook off', async () => {
    const stack = getTestStack();
    const namespace = await stack.createNamespace('chart-webhook');
    const sets: Record<string, unknown> = {
      agent: BASE_VALUES, certManager: CERT_MANAGER, akv2k8s: { ...BASE_VALUES, webhook: { ...BASE_VALUES.webhook, acceptAkv2k8sLabel: true } }, off: WEBHOOK_OFF,
    };
    for (const [name, values] of Object.entries(sets)) {
      const lint = await runCommand(helm, ['lint', chartDir, '--strict', '--kube-version', KUBE_VERSION, '--values', valuesFile(values)]);
      expect({ name, code: lint.code, stderr: lint.stderr }).toEqual({ name, code: 0, stderr: '' });
      // cert-manager's CRDs are not on the local stack
      const applied = (await renderObjects(helm, values, { namespace, release: `wh-${name.toLowerCase()}` })).filter((o) => !CERT_MANAGER_KINDS.has(o.kind));
      const result = await kubectl(['apply', '--server-side', '--force-conflicts', '--dry-run=server', '--field-manager', 'akvsync-chart-test', '-f', '-'], applied.map((o) => `---\n${stringify(o)}`).join(''));
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: '' });
    }
  }, 180_000);

  it('helm upgrade keeps the caBundle and the certificate Secret the agent wrote', async () => {
    const stack = getTestStack();
    const namespace = await stack.createNamespace('chart-webhook-upgrade');
    const release = `akvsync-${namespace.slice(-6)}`;
    const values = (timeoutSeconds: number): string => valuesFile({ ...BASE_VALUES, crds: { install: false }, restartOnlyPolicy: { enabled: false }, watchNamespaces: [namespace],
      webhook: { ...BASE_VALUES.webhook, failurePolicy: 'Ignore', timeoutSeconds } });
    const admission = stack.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const core = stack.kubeConfig.makeApiClient(CoreV1Api);
    const configName = `${release}-env-injection`;
    const install = await helmCluster(['install', release, chartDir, '--namespace', namespace, '--values', values(10)]);
    expect({ stderr: install.stderr, code: install.code }).toEqual({ stderr: '', code: 0 });
    try {
      // what the agent's leader does with the names the chart gives it (AKVSYNC_WEBHOOK_TLS_SECRET, _SERVICE, _CONFIGURATION)
      const deployment = findObject(await renderObjects(helm, { ...BASE_VALUES, watchNamespaces: [namespace] }, { namespace, release }), 'Deployment');
      const settings = Object.fromEntries((deployment as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
      expect(settings.AKVSYNC_WEBHOOK_CONFIGURATION).toBe(configName);
      const rotator = new WebhookTlsRotator({
        secret: new WebhookTlsSecret(core, namespace, settings.AKVSYNC_WEBHOOK_TLS_SECRET!), caBundle: kubeCaBundlePatcher(stack.kubeConfig, configName),
        hosts: [`${settings.AKVSYNC_WEBHOOK_SERVICE}.${namespace}.svc`], settings: { caValidityMs: 86_400_000, servingValidityMs: 3_600_000, overlapMs: 60_000, renewFraction: 1 / 3 },
        scheduler: systemScheduler, logger: createLogger('silent'),
      });
      expect((await rotator.reconcileOnce()).actions).toEqual(['create']);
      const caBundles = async (): Promise<(string | undefined)[]> => ((await admission.readMutatingWebhookConfiguration({ name: configName })).webhooks ?? []).map((w) => w.clientConfig.caBundle);
      const before = await caBundles();
      expect(before).toHaveLength(1);
      expect(Buffer.from(before[0] ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
      const secretBefore = await core.readNamespacedSecret({ namespace, name: settings.AKVSYNC_WEBHOOK_TLS_SECRET! });

      const upgrade = await helmCluster(['upgrade', release, chartDir, '--namespace', namespace, '--values', values(15)]);
      expect({ stderr: upgrade.stderr, code: upgrade.code }).toEqual({ stderr: '', code: 0 });
      const after = await admission.readMutatingWebhookConfiguration({ name: configName });
      expect(after.webhooks?.[0]?.timeoutSeconds).toBe(15); // the upgrade did reach the configuration
      expect(await caBundles()).toEqual(before);
      const secretAfter = await core.readNamespacedSecret({ namespace, name: settings.AKVSYNC_WEBHOOK_TLS_SECRET! });
      expect(secretAfter.metadata?.resourceVersion).toBe(secretBefore.metadata?.resourceVersion);
      expect((await rotator.reconcileOnce()).actions).toEqual([]); // nothing to repair after the upgrade
    } finally {
      await helmCluster(['uninstall', release, '--namespace', namespace]);
    }
  }, 180_000);
});

const kubectl = (args: string[], input?: string): Promise<CommandResult> =>
  runCommand(getTestStack().kubectl, ['--kubeconfig', getTestStack().kubeconfigPath, ...args], input === undefined ? {} : { input });
const helmCluster = (args: string[]): Promise<CommandResult> => runCommand(helm, [...args, '--kubeconfig', getTestStack().kubeconfigPath]);
