/**
 * docs/deploy.md's migration from akv2k8s, tried on the local stack: a Secret written and owned by an akv2k8s
 * `spv.no/v2beta1` AzureKeyVaultSecret (akv2k8s's CRD, test/fixtures/akv2k8s/) is refused by the agent
 * as it is; after the documented steps — orphan-delete the old object, label the Secret, apply the same spec as
 * `akvsync.io/v1` — the agent takes the Secret over in place: same object (uid), new value, owned by the new CR.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { applyAkv2k8sCrd } from '../agent/akv2k8s-crd.js';
import { decode, startAgentHarness, waitFor, type AgentHarness } from '../agent/agent-harness.js';

let h: AgentHarness;
let ns: string;
const spec = { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' as const } }, output: { secret: { name: 'db-password', dataKey: 'password' } } };
const akv2k8s = { group: 'spv.no', version: 'v2beta1', plural: 'azurekeyvaultsecrets' };

beforeAll(async () => {
  await applyAkv2k8sCrd();
  h = await startAgentHarness();
  ns = h.namespaces[0] as string;
  h.emulator.setSecret('kv1', 'db-password', 'from-key-vault');
});
afterAll(() => h?.stop());

describe('taking over a Secret from akv2k8s (docs/deploy.md)', () => {
  let original: V1Secret;

  it('refuses a Secret akv2k8s owns and leaves it untouched', async () => {
    const old = (await h.custom.createNamespacedCustomObject({ ...akv2k8s, namespace: ns, body: { apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', metadata: { name: 'db-password' }, spec } })) as { metadata: { uid: string } };
    original = await h.core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'db-password', ownerReferences: [{ apiVersion: 'spv.no/v2beta1', kind: 'AzureKeyVaultSecret', name: 'db-password', uid: old.metadata.uid, controller: true }] },
        stringData: { password: 'written-by-akv2k8s' },
      },
    });
    await h.createAkvs(ns, 'db-password-early', spec);
    const status = await waitFor('SecretNotOwned', async () => {
      const s = await h.getStatus(ns, 'db-password-early');
      return s?.conditions?.find((c) => c.type === 'Synced' && c.reason === 'SecretNotOwned');
    });
    // The owner is named with its API group: akv2k8s's CR has the same kind as ours.
    expect(status.message).toMatch(/is owned by AzureKeyVaultSecret db-password \(spv\.no\/v2beta1\)/);
    expect(decode(await h.readSecret(ns, 'db-password'), 'password')).toBe('written-by-akv2k8s');
    await h.custom.deleteNamespacedCustomObject({ group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace: ns, name: 'db-password-early' });
  });

  it('after orphan-delete, label and apply, the agent writes the same Secret and owns it', async () => {
    await h.custom.deleteNamespacedCustomObject({ ...akv2k8s, namespace: ns, name: 'db-password', propagationPolicy: 'Orphan' });
    await waitFor('owner reference removed by the garbage collector', async () => ((await h.readSecret(ns, 'db-password'))?.metadata?.ownerReferences?.length ? undefined : true));
    await h.core.patchNamespacedSecret({ namespace: ns, name: 'db-password', body: [{ op: 'add', path: '/metadata/labels', value: { 'akvsync.io/managed-by': 'akvsync' } }] });
    await h.createAkvs(ns, 'db-password', spec);

    const taken = await waitFor('Secret taken over', async () => {
      const s = await h.readSecret(ns, 'db-password');
      return decode(s, 'password') === 'from-key-vault' ? s : undefined;
    });
    expect(taken.metadata?.uid).toBe(original.metadata?.uid);
    // Owned through its field manager; no owner reference by default (docs/adr/0004-output-lifecycle.md).
    expect(taken.metadata?.ownerReferences).toBeUndefined();
    expect(taken.metadata?.managedFields?.some((f) => f.manager === 'akvsync/db-password')).toBe(true);
  });
});
