/**
 * The access policy in the reconcile loop: a forbidden CR is refused before any Key Vault read (Ready=False/Forbidden,
 * a Warning Event), identically whether the object exists or not; allowed CRs are read once per reading identity.
 */
import { AccessGate } from '../../../../cluster-agent/tenancy/access-gate.js';
import type { VaultObjectStore } from '../../../../core/ports/vault-object-store.js';
import type { AccessPolicy } from '../../../../core/tenancy/access-policy.js';
import { compileAccessPolicies } from '../../../../core/tenancy/evaluate-access.js';
import { akvs } from '../support/builders.js';
import { InMemoryVaultObjectStore } from '../support/in-memory-vault-object-store.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const TEAM_A_CLIENT = '0000000a-0000-4000-8000-00000000000a';
const VALUE = 'team-a-value-never-shown';
const LABELS: Record<string, Record<string, string>> = { 'team-a': { team: 'a' }, 'team-b': { team: 'b' } };
const POLICIES: AccessPolicy[] = [
  { name: 'team-a', spec: { namespaceSelector: { matchLabels: { team: 'a' } }, grants: [{ vault: 'kv1', objects: ['db-*'] }], identity: { serviceAccountName: 'reader', clientId: TEAM_A_CLIENT } } },
  { name: 'team-b', spec: { namespaceSelector: { matchLabels: { team: 'b' } }, grants: [{ vault: 'kv2', objects: ['*'] }] } },
];

function harness() {
  const tenantStore = new InMemoryVaultObjectStore();
  const labelReads: string[] = [];
  const storeFor: string[] = [];
  const h = reconcileHarness({
    access: (agentStore) => new AccessGate({
      policies: () => compileAccessPolicies(POLICIES),
      namespaceLabels: async (ns) => {
        labelReads.push(ns);
        return LABELS[ns] ?? {};
      },
      agentStore,
      storeFor: (ns, identity): VaultObjectStore => {
        storeFor.push(`${ns}/${identity.serviceAccountName}/${identity.clientId}`);
        return tenantStore;
      },
    }),
  });
  return { h, tenantStore, labelReads, storeFor };
}

describe('AccessGate in the reconciler', () => {
  it("refuses team B's CR for team A's object with Ready=False/Forbidden and no Key Vault read, and reads team A's with team A's identity", async () => {
    const { h, tenantStore, labelReads, storeFor } = harness();
    tenantStore.set('kv1', 'db-password', VALUE);
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs({ name: 'mine', namespace: 'team-a' }), akvs({ name: 'theirs', namespace: 'team-b' }));

    const result = await h.reconciler.reconcile(key as string);

    expect(result).toMatchObject({ kind: 'error', error: { code: 'Forbidden', kind: 'terminal' } });
    expect(h.store.reads).toEqual([]);
    expect(tenantStore.reads).toEqual(['kv1/db-password']);
    expect(storeFor).toEqual([`team-a/reader/${TEAM_A_CLIENT}`]);
    expect(labelReads.sort()).toEqual(['team-a', 'team-b']);
    expect(h.cluster.output('Secret', 'team-a', 'db')).toBeDefined();
    expect(h.cluster.output('Secret', 'team-b', 'db')).toBeUndefined();
    const forbidden = h.cluster.statuses.get('team-b/theirs');
    expect(forbidden?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Forbidden' });
    expect(h.cluster.events.filter((e) => e.cr === 'team-b/theirs')).toEqual([expect.objectContaining({ type: 'Warning', reason: 'Forbidden' })]);
    expect(h.everythingVisible()).not.toContain(VALUE);
  });

  it('shows the same status and Event for a forbidden object whether it exists or not', async () => {
    const seen: string[] = [];
    for (const exists of [true, false]) {
      const { h, tenantStore } = harness();
      if (exists) {
        h.store.set('kv1', 'db-password', VALUE);
        tenantStore.set('kv1', 'db-password', VALUE);
      }
      const [key] = h.add(akvs({ name: 'theirs', namespace: 'team-b' }));
      await h.reconciler.reconcile(key as string);
      const { lastSyncTime: _t, conditions, ...status } = h.cluster.statuses.get('team-b/theirs') ?? {};
      seen.push(JSON.stringify({ status, conditions: conditions?.map(({ lastTransitionTime: _l, ...c }) => c), events: h.cluster.events }));
      expect(h.store.reads).toEqual([]);
      expect(tenantStore.reads).toEqual([]);
    }
    expect(seen[0]).toBe(seen[1]);
  });

  it('turns Ready False when a policy change forbids a CR that had synced, and keeps its output', async () => {
    let policies = compileAccessPolicies([{ name: 'all', spec: { namespaceSelector: {}, grants: [{ vault: '*', objects: ['*'] }] } }]);
    const h = reconcileHarness({ access: (agentStore) => new AccessGate({ policies: () => policies, namespaceLabels: async () => ({}), agentStore, storeFor: () => agentStore }) });
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs());
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.statuses.get('team-a/db')?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    policies = compileAccessPolicies([]);
    await h.reconciler.reconcile(key as string);

    expect(h.cluster.statuses.get('team-a/db')?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Forbidden' });
    expect(h.cluster.output('Secret', 'team-a', 'db')?.data).toEqual({ password: Buffer.from(VALUE) });
    expect(h.store.reads).toEqual(['kv1/db-password']);
  });

  it('an open gate (no policy) reads everything with the agent identity and reads no namespace', async () => {
    const store = new InMemoryVaultObjectStore();
    const split = await AccessGate.open(store).split([akvs({ namespace: 'x' }), akvs({ namespace: 'y' })]);
    expect(split.refused).toEqual([]);
    expect(split.readers).toHaveLength(1);
    expect(split.readers[0]?.store).toBe(store);
  });

  it("never hands a tenant's CR a value read with another identity: the CR fast path reuses only the agent's own reads", async () => {
    const tenantStore = new InMemoryVaultObjectStore(); // team A's identity may not read the object (absent for it)
    const policies: AccessPolicy[] = [...POLICIES, { name: 'ops', spec: { namespaceSelector: { matchLabels: { team: 'ops' } }, grants: [{ vault: '*', objects: ['*'] }] } }];
    const h = reconcileHarness({
      access: (agentStore) => new AccessGate({
        policies: () => compileAccessPolicies(policies),
        namespaceLabels: async (ns) => (ns === 'ops' ? { team: 'ops' } : LABELS[ns] ?? {}),
        agentStore,
        storeFor: () => tenantStore,
      }),
    });
    h.store.set('kv1', 'db-password', VALUE);
    const [key] = h.add(akvs({ name: 'ops', namespace: 'ops' }));
    await h.reconciler.reconcile(key as string);
    expect(h.cluster.output('Secret', 'ops', 'db')).toBeDefined();

    h.add(akvs({ name: 'mine', namespace: 'team-a' })); // a CR-only reconcile, within the agent read's reuse window
    const result = await h.reconciler.reconcile(key as string);

    expect(tenantStore.reads).toEqual(['kv1/db-password']);
    expect(result).toMatchObject({ kind: 'error', error: { code: 'SecretNotFound' } });
    expect(h.cluster.output('Secret', 'team-a', 'db')).toBeUndefined();
    expect(h.store.reads).toEqual(['kv1/db-password']);
  });
});
