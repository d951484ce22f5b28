import { KubeConfig } from '@kubernetes/client-node';
import { akv2k8sComponent, servedGroupsIn } from '../../../../cluster-agent/akv2k8s/akv2k8s-component.js';
import { akv2k8sWatchHandlers } from '../../../../cluster-agent/akv2k8s/akv2k8s-watch-handlers.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../../../core/crd/annotations.js';
import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { akvs } from '../support/builders.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const VALUE = 'akv2k8s-value-never-logged';
const spv = (o: Parameters<typeof akvs>[0] = {}): AzureKeyVaultSecret => ({ ...akvs(o), apiVersion: 'spv.no/v2beta1' });
const akv2k8sOwned = (uid: string) => ({
  kind: 'Secret' as const, namespace: 'team-a', name: 'db', secretType: 'Opaque', data: { password: Buffer.from(VALUE) }, labels: {}, annotations: {},
  owners: [{ apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', name: 'db', uid, controller: false }],
});

describe('spv.no objects in the reconcile (handed-over namespace team-a)', () => {
  const served = servedGroupsIn(['team-a']);

  it('takes over the Secret akv2k8s wrote for the same object: its data unchanged, owner named by the spv.no apiVersion', async () => {
    const h = reconcileHarness({ servedGroups: served });
    h.store.set('kv1', 'db-password', VALUE);
    const cr = spv({ uid: 'spv-uid' });
    h.cluster.putOutput(akv2k8sOwned('spv-uid'));
    const [key] = h.add(cr);
    expect(await h.reconciler.reconcile(key as string)).toEqual({ kind: 'success' });
    const out = h.cluster.output('Secret', 'team-a', 'db');
    expect(out?.data.password?.toString()).toBe(VALUE);
    expect(out?.owners).toEqual([{ apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', name: 'db', uid: 'spv-uid', controller: true }]);
    expect(out?.labels[MANAGED_BY_LABEL]).toBe(MANAGED_BY_VALUE);
    expect(h.emitted.map((e) => e.name)).not.toContain('secret-written');
    expect(h.everythingVisible()).not.toContain(VALUE);
  });

  it('lets an akvsync.io CR join a Secret an spv.no object owns only where the namespace was handed over', async () => {
    for (const [groups, expected] of [[served, 'success'], [undefined, 'error']] as const) {
      const h = reconcileHarness(groups ? { servedGroups: groups } : {});
      h.store.set('kv1', 'other', 'v2');
      h.cluster.putOutput({ ...akv2k8sOwned('spv-uid'), labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } });
      const [key] = h.add(akvs({ name: 'joins', spec: { vault: { name: 'kv1', object: { name: 'other', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'other' } } } }));
      expect(await h.reconciler.reconcile(key as string)).toMatchObject({ kind: expected });
      expect(Object.keys(h.cluster.output('Secret', 'team-a', 'db')?.data ?? {}).sort()).toEqual(expected === 'success' ? ['other', 'password'] : ['password']);
    }
  });

  it('keeps a Secret an spv.no object owns foreign in a namespace not handed over', async () => {
    const h = reconcileHarness({ servedGroups: served });
    h.store.set('kv1', 'db-password', 'new');
    h.cluster.putOutput({ ...akv2k8sOwned('spv-uid'), namespace: 'team-b', labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } });
    const [key] = h.add(akvs({ namespace: 'team-b' }));
    expect(await h.reconciler.reconcile(key as string)).toMatchObject({ kind: 'error', error: { code: 'SecretNotOwned' } });
  });
});

describe('akv2k8sWatchHandlers', () => {
  function setup() {
    const h = reconcileHarness();
    const handlers = akv2k8sWatchHandlers(h.watch, h.index, h.logger);
    return { h, handlers };
  }

  it('indexes spv.no objects with the agent\'s own status view: empty on first sight, kept across informer updates', () => {
    const { h, handlers } = setup();
    handlers.akv2k8s.upsert({ ...spv({ uid: 's1' }), status: { secretHash: 'md5' } as never });
    expect(h.index.get('team-a', 'db')?.status).toEqual({});
    h.index.upsert({ ...(h.index.get('team-a', 'db') as AzureKeyVaultSecret), status: { syncedVersion: 'v1', conditions: [] } }, h.index.keys()[0] as string);
    handlers.akv2k8s.upsert({ ...spv({ uid: 's1' }), status: { secretName: 'db' } as never });
    expect(h.index.get('team-a', 'db')?.status).toEqual({ syncedVersion: 'v1', conditions: [] });
  });

  it('serves the akvsync.io CR when both groups name one namespace/name; the spv.no object waits and comes back when it goes', () => {
    const { h, handlers } = setup();
    const old = spv({ uid: 's1' });
    const mine = akvs({ uid: 'a1' });
    handlers.akv2k8s.upsert(old);
    handlers.akvsync.upsert(mine);
    expect(h.index.get('team-a', 'db')?.metadata.uid).toBe('a1');
    handlers.akv2k8s.upsert(old);
    expect(h.index.get('team-a', 'db')?.metadata.uid).toBe('a1');
    expect(h.logLines.some((l) => l.includes('the spv.no object waits'))).toBe(true);
    handlers.akvsync.remove(mine);
    expect(h.index.get('team-a', 'db')).toMatchObject({ apiVersion: 'spv.no/v2beta1', metadata: { uid: 's1' } });
    handlers.akv2k8s.remove(old);
    expect(h.index.get('team-a', 'db')).toBeUndefined();
  });

  it('an spv.no object removed while waiting is not served again', () => {
    const { h, handlers } = setup();
    const mine = akvs({ uid: 'a1' });
    handlers.akvsync.upsert(mine);
    handlers.akv2k8s.upsert(spv({ uid: 's1' }));
    handlers.akv2k8s.remove(spv({ uid: 's1' }));
    expect(h.index.get('team-a', 'db')?.metadata.uid).toBe('a1');
    handlers.akvsync.remove(mine);
    expect(h.index.get('team-a', 'db')).toBeUndefined();
  });
});

describe('akv2k8sComponent', () => {
  it('says plainly that the CRD is missing and serves nothing', async () => {
    const { h } = { h: reconcileHarness() };
    const component = akv2k8sComponent({
      kubeConfig: new KubeConfig(), namespaces: ['team-a'], labelSelector: undefined, handlers: h.watch, scheduler: new ManualScheduler(), logger: h.logger,
      crdInstalled: async () => false,
    });
    await component.start();
    await component.stop();
    expect(h.logLines.join('\n')).toMatch(/AKVSYNC_AKV2K8S_NAMESPACES is set, but akv2k8s's CRD \(azurekeyvaultsecrets\.spv\.no, v2beta1\) is not installed/);
    expect(h.index.size).toBe(0);
  });

  it('serves both groups only in handed-over namespaces', () => {
    expect(servedGroupsIn(['team-a'])('team-a')).toEqual(['akvsync.io', 'spv.no']);
    expect(servedGroupsIn(['team-a'])('team-b')).toEqual(['akvsync.io']);
  });
});
