/**
 * akv2k8s's own `spv.no/v2beta1` objects served unchanged (issue #7 item 2, docs/migrate-from-akv2k8s.md): akv2k8s's
 * CRD (test/fixtures/akv2k8s/, structural status) on the real apiserver, every controller example applied with the
 * real kubectl as it is published (only `namespace:` pointed at a test namespace), the agent under its generated RBAC
 * with AKVSYNC_AKV2K8S_NAMESPACES. Checked: the outputs (and `.expected-secret.yaml`), akv2k8s's five status fields
 * with the keyed hash and nothing else, conditions as Events and a metric, the take-over of a Secret akv2k8s wrote (same
 * object, no restart), a namespace not handed over left alone, rollback, and no secret value or key anywhere visible.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { CoreV1Event, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { dataHash } from '../../../core/sync/data-hash.js';
import { type KeyVaultEmulator, startKeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { findLeaks } from '../../support/find-leaks.js';
import { getTestStack } from '../support/stack-client.js';
import { AKV2K8S_RESOURCE, applyAkv2k8sCrd } from './akv2k8s-crd.js';
import {
  FILES, type FixtureFile, type FixtureObjects, OTHER_VALUE, SECRET_VALUE, VAULTS, certsIn, expectedSecret, kubectlApply, manifest, pemLines, seedFixtureVaults, subjectsOf,
} from './akv2k8s-fixtures.js';
import { type AgentHarness, decode, startAgentHarness, waitFor } from './agent-harness.js';

const SKIP_AKV2K8S = 'migrate.akvsync.io/controller!=akv2k8s';
type SpvStatus = Record<string, unknown>;
interface SpvObject { metadata: { name: string; uid: string }; status?: SpvStatus }

describe('akv2k8s objects (spv.no/v2beta1) served unchanged in handed-over namespaces', () => {
  let h: AgentHarness;
  const ns: Record<string, string> = {};
  let notHandedOver: string;
  let unwatched: string;
  let objects: FixtureObjects;
  let hashKey: Uint8Array;
  const written: string[] = [];
  let stopped = false;
  let emulator: KeyVaultEmulator;

  const spv = async (namespace: string, name: string): Promise<SpvObject | undefined> =>
    (await h.custom.getNamespacedCustomObject({ ...AKV2K8S_RESOURCE, namespace, name }).catch(() => undefined)) as SpvObject | undefined;
  const createSpv = async (namespace: string, name: string, spec: Record<string, unknown>): Promise<SpvObject> =>
    (await h.custom.createNamespacedCustomObject({ ...AKV2K8S_RESOURCE, namespace, body: { apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', metadata: { name }, spec } })) as SpvObject;
  const secret = (file: FixtureFile, name: string): Promise<V1Secret> => waitFor(`Secret ${name} (${file})`, () => h.readSecret(ns[file] as string, name));
  const events = async (namespace: string, name: string): Promise<CoreV1Event[]> =>
    (await h.core.listNamespacedEvent({ namespace })).items.filter((e) => e.involvedObject.name === name);
  const metrics = async (): Promise<string> => (await fetch(h.agent.metricsUrl)).text();

  beforeAll(async () => {
    await applyAkv2k8sCrd();
    const stack = getTestStack();
    const handedOver = await Promise.all(FILES.map(() => stack.createNamespace('akv2k8s')));
    FILES.forEach((file, i) => {
      ns[file] = handedOver[i] as string;
    });
    notHandedOver = await stack.createNamespace('still-akv2k8s');
    unwatched = await stack.createNamespace('unwatched');
    const watched = [...handedOver, notHandedOver];
    emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: VAULTS });
    // As docs/migrate-from-akv2k8s.md runs it: objects still labelled for akv2k8s are never served by the agent.
    h = await startAgentHarness({ vaults: VAULTS, emulator, existingNamespaces: watched, env: { AKVSYNC_AKV2K8S_NAMESPACES: handedOver.join(','), AKVSYNC_OBJECT_LABELS: SKIP_AKV2K8S } });
    objects = await seedFixtureVaults(h.emulator);
    const keySecret = await h.core.readNamespacedSecret({ namespace: watched[0] as string, name: 'akvsync-data-hash-key' });
    hashKey = new Uint8Array(Buffer.from(keySecret.data?.key ?? '', 'base64'));
    for (const file of FILES) {
      if (file === 'extra') continue;
      const isolation = file.startsWith('07');
      // Unchanged but for the namespace; 05 and it-multi (two objects, one Secret) in one `kubectl apply`.
      const applied = kubectlApply(manifest(file, ns[file] as string, isolation ? unwatched : undefined, true), isolation ? undefined : ns[file]);
      expect({ file, status: applied.status, output: applied.output }).toMatchObject({ file, status: 0 });
    }
  }, 120_000);
  afterAll(async () => {
    if (!stopped) await h?.stop();
    await emulator?.close();
    for (const namespace of [...Object.values(ns), notHandedOver, unwatched]) await h.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('syncs every controller example as published, matching its .expected-secret.yaml', async () => {
    for (const file of ['01-sync-secret.akvs.yaml', 'it-akvs-secret-sync.yaml'] as const) {
      expect(decode(await secret(file, 'my-secret-from-akv'), 'secret-value')).toBe(SECRET_VALUE);
    }
    const tls = expectedSecret('02-sync-certificate-tls.expected-secret.yaml');
    const s02 = await secret('02-sync-certificate-tls.akvs.yaml', 'my-certificate-from-akv');
    expect([s02.type, Object.keys(s02.data ?? {}).sort()]).toEqual([tls.type, tls.keys]);
    expect(certsIn(decode(s02, 'tls.crt') ?? '').map((c) => c.subject)).toEqual(subjectsOf(objects.ecCert));
    expect(certsIn(decode(s02, 'tls.crt') ?? '')[0]?.checkPrivateKey(createPrivateKey(decode(s02, 'tls.key') ?? ''))).toBe(true);
    written.push(decode(s02, 'tls.key') ?? '');
    const sCert = await secret('it-akvs-certificate-sync.yaml', 'my-certificate-from-akv');
    expect(certsIn(decode(sCert, 'tls.crt') ?? '').map((c) => c.subject)).toEqual(subjectsOf(objects.rsaCert));
    written.push(decode(sCert, 'tls.key') ?? '');
    expect(createPublicKey(decode(await secret('03-sync-signing-key.akvs.yaml', 'my-signing-key-from-akv'), 'signing-key') ?? '').asymmetricKeyType).toBe('rsa');
    expect(createPublicKey(decode(await secret('it-akvs-signing-key-sync.yaml', 'my-signing-key-from-akv'), 'signing-key') ?? '').asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    const multi = expectedSecret('04-sync-multi-key-value-secret.expected-secret.yaml');
    for (const file of ['04-sync-multi-key-value-secret.akvs.yaml', 'it-akvs-multi-key-value-secret.yaml'] as const) {
      const s = await secret(file, 'db-config');
      expect(Object.fromEntries(Object.keys(s.data ?? {}).map((k) => [k, decode(s, k)]))).toEqual(multi.data);
    }
    for (const file of ['05-sync-multi-akvs-to-one-secret.akvs.yaml', 'it-multi-akvs-secret-sync.yaml'] as const) {
      const s = await waitFor(`both keys (${file})`, async () => {
        const got = await h.readSecret(ns[file] as string, 'my-secrets-from-akv');
        return got?.data?.['secret-value-1'] && got.data['secret-value-2'] ? got : undefined;
      });
      expect([decode(s, 'secret-value-1'), decode(s, 'secret-value-2')]).toEqual([SECRET_VALUE, OTHER_VALUE]);
    }
    for (const file of ['06-sync-secret-to-configmap.akvs.yaml', 'it-akvs-configmap-sync.yaml'] as const) {
      const cm = await waitFor(`ConfigMap (${file})`, (): Promise<V1ConfigMap | undefined> => h.core.readNamespacedConfigMap({ namespace: ns[file] as string, name: 'my-secret-from-akv' }).catch(() => undefined));
      expect(cm.data).toEqual({ 'secret-value': SECRET_VALUE });
    }
    await secret('07-namespace-isolation.akvs.yaml', 'my-secret-from-akv');
    expect(await h.readSecret(unwatched, 'my-other-secret-from-akv')).toBeUndefined();
    const pfx = expectedSecret('09-sync-pfx-stored-as-secret-to-tls.expected-secret.yaml');
    const s09 = await secret('09-sync-pfx-stored-as-secret-to-tls.akvs.yaml', 'my-pfx-cert-secret-from-akv');
    expect([s09.type, Object.keys(s09.data ?? {}).sort()]).toEqual([pfx.type, pfx.keys]);
    written.push(decode(s09, 'tls.key') ?? '');
    // it-v1-test-secret (spv.no/v1, no output): served (Ready in the metric), nothing written.
    await waitFor('it-v1-test-secret Ready', async () => (/akvsync_akv2k8s_object_condition\{[^}]*name="test-secret",type="Ready",reason="Synced"\} 1/.test(await metrics()) ? true : undefined));
    const v1ns = ns['it-v1-test-secret.akvs.yaml'] as string;
    expect((await h.core.listNamespacedSecret({ namespace: v1ns })).items.filter((x) => x.type !== 'kubernetes.io/service-account-token')).toEqual([]);
    const v1alpha1 = kubectlApply(manifest('it-v1alpha1-example.akvs.yaml', ns.extra as string, undefined, true), ns.extra);
    expect([v1alpha1.status === 0, v1alpha1.output]).toEqual([false, expect.stringMatching(/spec\.output\.secret\.name: Required value/)]);
  });

  it('writes akv2k8s\'s status fields only, secretHash being the keyed hash of the object\'s keys; owner references name the spv.no object', async () => {
    const namespace = ns['01-sync-secret.akvs.yaml'] as string;
    const cr = await waitFor('status written', async () => {
      const got = await spv(namespace, 'secret-sync');
      return got?.status?.secretHash ? got : undefined;
    });
    const keyed = dataHash({ 'secret-value': Buffer.from(SECRET_VALUE) }, hashKey);
    expect(cr.status).toEqual({ secretName: 'my-secret-from-akv', secretHash: keyed, lastAzureUpdate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(keyed).not.toBe(dataHash({ 'secret-value': Buffer.from(SECRET_VALUE) }));
    const cm = await waitFor('ConfigMap status', async () => (await spv(ns['06-sync-secret-to-configmap.akvs.yaml'] as string, 'secret-configmap-sync'))?.status?.configMapHash ? true : undefined);
    expect(cm).toBe(true);
    const out = await h.readSecret(namespace, 'my-secret-from-akv');
    expect(out?.metadata?.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', name: 'secret-sync', uid: cr.metadata.uid, controller: true })]);
    expect((await events(namespace, 'secret-sync')).some((e) => e.reason === 'Synced' && e.involvedObject.apiVersion === 'spv.no/v2beta1')).toBe(true);
  });

  it('a failure shows as a Warning Event on the spv.no object and in the condition metric, and its status keeps no condition', async () => {
    const namespace = ns.extra as string;
    await createSpv(namespace, 'missing', { vault: { name: 'akv2k8s-test', object: { name: 'does-not-exist', type: 'secret' } }, output: { secret: { name: 'missing', dataKey: 'v' } } });
    const warning = await waitFor('Warning Event', async () => (await events(namespace, 'missing')).find((e) => e.type === 'Warning'));
    expect(warning.involvedObject.apiVersion).toBe('spv.no/v2beta1');
    await waitFor('Ready=0 in the metric', async () => (/akvsync_akv2k8s_object_condition\{[^}]*name="missing",type="Ready",reason="[A-Za-z]+"\} 0/.test(await metrics()) ? true : undefined));
    expect((await spv(namespace, 'missing'))?.status ?? {}).not.toHaveProperty('conditions');
    expect(await h.readSecret(namespace, 'missing')).toBeUndefined();
  });

  it('takes over a Secret akv2k8s wrote for its object in place: same object and data, no restart, the keyed hash in its status', async () => {
    const namespace = ns.extra as string;
    // The Key Vault object comes after the Secret (akv2k8s's), so the agent sees the Secret before its first write.
    const cr = await createSpv(namespace, 'taken-over', { vault: { name: 'akv2k8s-test', object: { name: 'taken-over', type: 'secret' } }, output: { secret: { name: 'taken-over', dataKey: 'password' } } });
    // As akv2k8s leaves it: its owner reference (controller false), its own labels.
    const before = await h.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'taken-over', labels: { team: 'a' }, ownerReferences: [{ apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', name: 'taken-over', uid: cr.metadata.uid, controller: false, blockOwnerDeletion: true }] },
        type: 'Opaque', data: { password: Buffer.from('same-value').toString('base64') },
      },
    });
    await h.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'app', annotations: { 'reloader.stakater.com/auto': 'true' } },
        spec: {
          selector: { matchLabels: { app: 'app' } },
          template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'c', image: 'busybox', envFrom: [{ secretRef: { name: 'taken-over' } }] }] } },
        },
      },
    });
    const first = h.emulator.setSecret('akv2k8s-test', 'taken-over', 'same-value');
    expect((await h.notify(h.notification({ vault: 'akv2k8s-test', objectName: 'taken-over', version: first.version }))).status).toBe(202);
    const after = await waitFor('taken over', async () => {
      const s = await h.readSecret(namespace, 'taken-over');
      return s?.metadata?.labels?.['akvsync.io/managed-by'] === 'akvsync' ? s : undefined;
    });
    expect([after.metadata?.uid, after.data, after.metadata?.labels?.team]).toEqual([before.metadata?.uid, before.data, 'a']);
    expect(after.metadata?.ownerReferences).toEqual([expect.objectContaining({ uid: cr.metadata.uid, controller: true })]);
    const deployment = await h.apps.readNamespacedDeployment({ namespace, name: 'app' });
    expect(Object.keys(deployment.spec?.template.metadata?.annotations ?? {}).filter((k) => k.startsWith('restart.akvsync.io/'))).toEqual([]);
    const status = await waitFor('keyed hash', async () => (await spv(namespace, 'taken-over'))?.status);
    expect(status.secretHash).toBe(dataHash({ password: Buffer.from('same-value') }, hashKey));

    // A new version is written into it and restarts the opted-in workload, as for any output the agent manages.
    const { version } = h.emulator.setSecret('akv2k8s-test', 'taken-over', 'next-value');
    expect((await h.notify(h.notification({ vault: 'akv2k8s-test', objectName: 'taken-over', version }))).status).toBe(202);
    await waitFor('restarted', async () => {
      const d = await h.apps.readNamespacedDeployment({ namespace, name: 'app' });
      return Object.keys(d.spec?.template.metadata?.annotations ?? {}).some((k) => k.startsWith('restart.akvsync.io/')) ? true : undefined;
    });
    expect(decode(await h.readSecret(namespace, 'taken-over'), 'password')).toBe('next-value');
  });

  it('skips an object labelled for akv2k8s (AKVSYNC_OBJECT_LABELS), and serves it once the label is removed', async () => {
    const namespace = ns.extra as string;
    h.emulator.setSecret('akv2k8s-test', 'labelled', 'labelled-value');
    await h.custom.createNamespacedCustomObject({
      ...AKV2K8S_RESOURCE, namespace,
      body: {
        apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', metadata: { name: 'labelled', labels: { 'migrate.akvsync.io/controller': 'akv2k8s' } },
        spec: { vault: { name: 'akv2k8s-test', object: { name: 'labelled', type: 'secret' } }, output: { secret: { name: 'labelled', dataKey: 'v' } } },
      },
    });
    // An unlabelled object created after it is served: the watch delivered both by then, in order.
    await createSpv(namespace, 'after-labelled', { vault: { name: 'akv2k8s-test', object: { name: 'labelled', type: 'secret' } }, output: { secret: { name: 'after-labelled', dataKey: 'v' } } });
    await waitFor('the later object served', () => h.readSecret(namespace, 'after-labelled'));
    await h.agent.whenIdle();
    expect([await h.readSecret(namespace, 'labelled'), (await spv(namespace, 'labelled'))?.status]).toEqual([undefined, undefined]);
    await h.custom.patchNamespacedCustomObject({ ...AKV2K8S_RESOURCE, namespace, name: 'labelled', body: [{ op: 'remove', path: '/metadata/labels' }] });
    expect(decode(await waitFor('served', () => h.readSecret(namespace, 'labelled')), 'v')).toBe('labelled-value');
  });

  it('leaves spv.no objects alone in a namespace not handed over: nothing written, status untouched; their Secrets stay foreign', async () => {
    h.emulator.setSecret('akv2k8s-test', 'not-mine', 'kv-value');
    const cr = await createSpv(notHandedOver, 'not-mine', { vault: { name: 'akv2k8s-test', object: { name: 'not-mine', type: 'secret' } }, output: { secret: { name: 'not-mine', dataKey: 'v' } } });
    await h.core.createNamespacedSecret({
      namespace: notHandedOver,
      body: { metadata: { name: 'not-mine', ownerReferences: [{ apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', name: 'not-mine', uid: cr.metadata.uid }] }, data: { v: Buffer.from('akv2k8s-value').toString('base64') } },
    });
    await h.createAkvs(notHandedOver, 'wants-it', { vault: { name: 'akv2k8s-test', object: { name: 'not-mine', type: 'secret' } }, output: { secret: { name: 'not-mine', dataKey: 'other' } } });
    await waitFor('SecretNotOwned', async () => ((await h.getStatus(notHandedOver, 'wants-it'))?.conditions?.some((c) => c.reason === 'SecretNotOwned') ? true : undefined));
    const s = await h.readSecret(notHandedOver, 'not-mine');
    expect([decode(s, 'v'), decode(s, 'other'), s?.metadata?.labels]).toEqual(['akv2k8s-value', undefined, undefined]);
    expect((await spv(notHandedOver, 'not-mine'))?.status).toBeUndefined();
  });

  it('no secret value or private key in agent logs, Events or spv.no status', async () => {
    const allEvents: CoreV1Event[] = [];
    const statuses: string[] = [];
    for (const namespace of [...Object.values(ns), notHandedOver]) {
      allEvents.push(...(await h.core.listNamespacedEvent({ namespace })).items);
      const list = (await h.custom.listNamespacedCustomObject({ ...AKV2K8S_RESOURCE, namespace })) as { items: SpvObject[] };
      statuses.push(...list.items.map((o) => JSON.stringify(o.status ?? {})));
    }
    const keyMaterial = [objects.ecCert, objects.rsaCert, objects.pfxCert].flatMap((c) => pemLines(c.leaf.keyPem)).concat(written.flatMap(pemLines));
    expect(keyMaterial.length).toBeGreaterThan(20);
    expect(statuses.length).toBeGreaterThan(15);
    const leaks = findLeaks([...keyMaterial, SECRET_VALUE, OTHER_VALUE, 'same-value', 'next-value', 'kv-value', 'labelled-value'], {
      'agent log lines': h.logLines, 'Kubernetes Events': allEvents.map((e) => JSON.stringify(e)), 'spv.no status': statuses, 'metrics': [await metrics()],
    });
    expect(leaks).toEqual([]);
  });

  it('rolls back: without the namespace in AKVSYNC_AKV2K8S_NAMESPACES its objects are not served and their Secrets are left for akv2k8s', async () => {
    const namespace = ns['01-sync-secret.akvs.yaml'] as string;
    const keep = Object.entries(ns).filter(([file]) => file !== '01-sync-secret.akvs.yaml').map(([, n]) => n);
    const before = await h.readSecret(namespace, 'my-secret-from-akv');
    await h.stop(); // the agent restarted with the namespace left out of the setting
    stopped = true;
    const rolledBack = await startAgentHarness({ vaults: VAULTS, emulator, existingNamespaces: [namespace, ...keep], env: { AKVSYNC_AKV2K8S_NAMESPACES: keep.join(',') } });
    try {
      const { version } = emulator.setSecret('akv2k8s-test', 'my-secret', 'rotated-after-rollback');
      expect((await rolledBack.notify(rolledBack.notification({ vault: 'akv2k8s-test', objectName: 'my-secret', version }))).status).toBe(202);
      // 07's namespace (still handed over, same object) gets the new value; 01's namespace does not.
      await waitFor('handed-over namespace synced', async () => (decode(await rolledBack.readSecret(ns['07-namespace-isolation.akvs.yaml'] as string, 'my-secret-from-akv'), 'secret-value') === 'rotated-after-rollback' ? true : undefined));
      await rolledBack.agent.whenIdle();
      const after = await rolledBack.readSecret(namespace, 'my-secret-from-akv');
      expect([after?.data, after?.metadata?.resourceVersion]).toEqual([before?.data, before?.metadata?.resourceVersion]);
      // Still owned by akv2k8s's object (by uid), so akv2k8s adopts it again; an akvsync.io CR there is refused.
      expect(after?.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: 'spv.no/v2beta1', name: 'secret-sync' });
      await rolledBack.createAkvs(namespace, 'late', { vault: { name: 'akv2k8s-test', object: { name: 'my-secret', type: 'secret' } }, output: { secret: { name: 'my-secret-from-akv', dataKey: 'x' } } });
      await waitFor('SecretNotOwned after rollback', async () => ((await rolledBack.getStatus(namespace, 'late'))?.conditions?.some((c) => c.reason === 'SecretNotOwned') ? true : undefined));
    } finally {
      await rolledBack.stop();
    }
  });

});
