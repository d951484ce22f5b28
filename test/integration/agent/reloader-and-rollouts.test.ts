/**
 * Restarts on the real stack beyond akvsync.io/reload (issue #7 item 1): stakater/Reloader's search + match pair (the
 * ESO + Reloader guide: `reloader.stakater.com/search` on the workload, `reloader.stakater.com/match` on the Secret),
 * its ignore annotation on the Secret, and Argo Rollouts restarted with `spec.restartAt`. No Argo controller runs
 * here: a minimal structural CRD of the real group and kind (argoproj.io/v1alpha1 Rollout) is installed before the
 * agent starts, so the agent finds it by API discovery, as it would find Argo Rollouts installed.
 */
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { restartAnnotationKey } from '../../../core/restart/restart-annotation.js';
import { findLeaks } from '../../support/find-leaks.js';
import { getTestStack } from '../support/stack-client.js';
import { type AgentHarness, decode, startAgentHarness, waitFor } from './agent-harness.js';

const ROLLOUT = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' } as const;
const KEY = restartAnnotationKey('Secret', 'db');
const VALUES = ['first-S3cret-value', 'second-S3cret-value', 'third-S3cret-value'];

async function installRolloutCrd(): Promise<void> {
  const extensions = getTestStack().kubeConfig.makeApiClient(ApiextensionsV1Api);
  // client-node's serializer knows the field as x_kubernetes_preserve_unknown_fields (it drops the wire name).
  const open = { type: 'object', x_kubernetes_preserve_unknown_fields: true };
  await extensions.createCustomResourceDefinition({
    body: {
      metadata: { name: 'rollouts.argoproj.io' },
      spec: {
        group: 'argoproj.io', scope: 'Namespaced', names: { plural: 'rollouts', singular: 'rollout', kind: 'Rollout', shortNames: ['ro'] },
        versions: [{
          name: 'v1alpha1', served: true, storage: true, subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { restartAt: { type: 'string', format: 'date-time' }, template: open }, x_kubernetes_preserve_unknown_fields: true }, status: open } } },
        }],
      },
    },
  }).catch((error: unknown) => {
    if ((error as { code?: number }).code !== 409) throw error;
  });
  await waitFor('Rollout CRD established', async () => {
    const crd = await extensions.readCustomResourceDefinition({ name: 'rollouts.argoproj.io' });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
}

const podTemplate = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox', envFrom: [{ secretRef: { name: 'db' } }] }] } };
const deploymentBody = (name: string, annotations: Record<string, string>): V1Deployment => ({
  metadata: { name, annotations }, spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate },
});

describe('restarts: Reloader search/match and ignore, Argo Rollouts', () => {
  let h: AgentHarness;
  let ns: string;
  let version = 0;

  const restartsOf = async (name: string): Promise<string | undefined> =>
    (await h.apps.readNamespacedDeployment({ namespace: ns, name })).spec?.template.metadata?.annotations?.[KEY];
  const rollout = async (): Promise<{ metadata: { annotations?: Record<string, string> }; spec: { restartAt?: string; template: { metadata: { annotations?: Record<string, string> } } } }> =>
    (await h.custom.getNamespacedCustomObject({ ...ROLLOUT, namespace: ns, name: 'canary' })) as never;
  /** A new Key Vault version, notified; resolves once the Secret holds it and the agent is idle. */
  async function rotate(): Promise<string> {
    const value = VALUES[version++] as string;
    const { version: v } = h.emulator.setSecret('kv1', 'db-password', value);
    expect((await h.notify(h.notification({ objectName: 'db-password', version: v }))).status).toBe(202);
    await waitFor(`Secret holds ${version}`, async () => (decode(await h.readSecret(ns, 'db'), 'password') === value ? true : undefined));
    await h.agent.whenIdle();
    return (await h.readSecret(ns, 'db'))?.metadata?.annotations?.['akvsync.io/data-hash'] ?? '';
  }
  const annotateSecret = (annotations: Record<string, string>): Promise<unknown> =>
    h.core.patchNamespacedSecret({ namespace: ns, name: 'db', body: [{ op: 'add', path: '/metadata/annotations', value: { ...annotations } }] });

  beforeAll(async () => {
    await installRolloutCrd();
    h = await startAgentHarness();
    ns = h.namespaces[0] as string;
    h.emulator.setSecret('kv1', 'db-password', 'initial-S3cret-value');
    await h.createAkvs(ns, 'db', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'password' } } });
    await waitFor('Secret', () => h.readSecret(ns, 'db'));
    await h.apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody('searching', { 'reloader.stakater.com/search': 'true' }) });
    await h.apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody('auto', { 'akvsync.io/reload': 'true' }) });
    await h.custom.createNamespacedCustomObject({
      ...ROLLOUT, namespace: ns,
      body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'canary', annotations: { 'reloader.stakater.com/auto': 'true' } }, spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate } },
    });
  }, 60_000);
  afterAll(() => h?.stop());

  it('finds Argo Rollouts installed (API discovery) and says so', () => {
    expect(h.logLines.some((l) => l.includes('Argo Rollouts installed'))).toBe(true);
  });

  it('search without match on the Secret restarts nothing that searches; the Rollout gets spec.restartAt and its own record, its template untouched', async () => {
    const before = Date.now() - 1000;
    const hash = await rotate();
    expect(await restartsOf('searching')).toBeUndefined();
    expect(await restartsOf('auto')).toBe(hash);
    const r = await rollout();
    expect(r.metadata.annotations?.[KEY]).toBe(hash);
    expect(Date.parse(r.spec.restartAt ?? '')).toBeGreaterThan(before);
    expect(r.spec.template.metadata.annotations).toBeUndefined();
  });

  it('match on the Secret restarts the searching workload; the same data never restarts the Rollout twice', async () => {
    await annotateSecret({ 'reloader.stakater.com/match': 'true' });
    const restartAt = (await rollout()).spec.restartAt;
    const hash = await rotate();
    expect(await restartsOf('searching')).toBe(hash);
    const r = await rollout();
    expect([r.metadata.annotations?.[KEY], r.spec.restartAt !== restartAt]).toEqual([hash, true]);
    // A new version with the same data: nothing restarts (the Rollout's restartAt stays).
    const { version: v } = h.emulator.setSecret('kv1', 'db-password', VALUES[version - 1] as string);
    expect((await h.notify(h.notification({ objectName: 'db-password', version: v }))).status).toBe(202);
    await waitFor('synced version', async () => ((await h.getStatus(ns, 'db'))?.syncedVersion === v ? true : undefined));
    await h.agent.whenIdle();
    expect((await rollout()).spec.restartAt).toBe(r.spec.restartAt);
  });

  it('ignore on the Secret: nothing restarts for it, whatever the workload asks', async () => {
    await annotateSecret({ 'reloader.stakater.com/match': 'true', 'reloader.stakater.com/ignore': 'true' });
    const before = { searching: await restartsOf('searching'), auto: await restartsOf('auto'), rollout: (await rollout()).spec.restartAt };
    await rotate();
    expect({ searching: await restartsOf('searching'), auto: await restartsOf('auto'), rollout: (await rollout()).spec.restartAt }).toEqual(before);
    expect(h.logLines.some((l) => l.includes('workload restarted') && l.includes('"kind":"Rollout"'))).toBe(true);
  });

  it('without rights on Rollouts (chart argoRollouts.enabled off) the agent says so once and restarts the other kinds as before', async () => {
    const namespace = await getTestStack().createNamespace('no-rollouts');
    const other = await startAgentHarness({ emulator: h.emulator, existingNamespaces: [namespace], argoRollouts: false });
    try {
      await other.createAkvs(namespace, 'db', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'password' } } });
      await waitFor('Secret', () => other.readSecret(namespace, 'db'));
      await other.apps.createNamespacedDeployment({ namespace, body: deploymentBody('auto', { 'akvsync.io/reload': 'true' }) });
      await other.custom.createNamespacedCustomObject({
        ...ROLLOUT, namespace,
        body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'canary', annotations: { 'akvsync.io/reload': 'true' } }, spec: { template: podTemplate } },
      });
      const value = 'fourth-S3cret-value';
      const { version: v } = h.emulator.setSecret('kv1', 'db-password', value);
      expect((await other.notify(other.notification({ objectName: 'db-password', version: v }))).status).toBe(202);
      await waitFor('Deployment restarted', async () => ((await other.apps.readNamespacedDeployment({ namespace, name: 'auto' })).spec?.template.metadata?.annotations?.[KEY] ? true : undefined));
      const r = (await other.custom.getNamespacedCustomObject({ ...ROLLOUT, namespace, name: 'canary' })) as { spec: { restartAt?: string } };
      expect(r.spec.restartAt).toBeUndefined();
      expect(other.logLines.filter((l) => l.includes('cannot list Rollouts') && l.includes('KubernetesForbidden'))).toHaveLength(1);
      expect(findLeaks([value], { 'agent log lines': other.logLines })).toEqual([]);
    } finally {
      await other.stop();
      await h.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    }
  });

  it('no secret value in agent logs or Events', async () => {
    const events = (await h.core.listNamespacedEvent({ namespace: ns })).items.map((e) => JSON.stringify(e));
    expect(findLeaks(['initial-S3cret-value', ...VALUES], { 'agent log lines': h.logLines, 'Kubernetes Events': events })).toEqual([]);
  });
});
