import { ServiceAccountTokens } from '../../../../cluster-agent/tenancy/service-account-tokens.js';
import { TenantStores } from '../../../../cluster-agent/tenancy/tenant-stores.js';
import { InMemoryVaultObjectStore } from '../support/in-memory-vault-object-store.js';
import { ManualScheduler } from '../support/manual-scheduler.js';

const CLIENT = '0000000a-0000-4000-8000-00000000000a';
const identity = { serviceAccountName: 'reader', clientId: CLIENT };

function stores(tenantId: string | undefined) {
  const made: { identity: string; store: InMemoryVaultObjectStore; forgotten: string[] }[] = [];
  const tokens = new ServiceAccountTokens(async () => ({ token: 't', expiresAtMs: Date.now() + 600_000 }), new ManualScheduler(), 600);
  const tenants = new TenantStores({
    tokens, tenantId, authorityHost: undefined, disableInstanceDiscovery: true,
    storeWith: (_credential, name) => {
      const store = new InMemoryVaultObjectStore();
      const entry = { identity: name, store, forgotten: [] as string[] };
      store.forgetVault = (vault: string) => void entry.forgotten.push(vault);
      made.push(entry);
      return store;
    },
  });
  return { tenants, made };
}

describe('per-namespace Key Vault stores', () => {
  it('one store per namespace and identity, named for 401/403 messages; dropped with the namespace; vault clients evicted in all', () => {
    const { tenants, made } = stores('7e57e57e-0000-4000-8000-00000000a4b5');
    const a = tenants.storeFor('team-a', identity);
    expect(tenants.storeFor('team-a', { ...identity, clientId: CLIENT.toUpperCase() })).toBe(a);
    const b = tenants.storeFor('team-b', identity);
    expect(b).not.toBe(a);
    expect(made.map((m) => m.identity)).toEqual([`client ${CLIENT} (ServiceAccount team-a/reader)`, `client ${CLIENT} (ServiceAccount team-b/reader)`]);

    tenants.forgetVault('kv-a');
    expect(made.map((m) => m.forgotten)).toEqual([['kv-a'], ['kv-a']]);

    tenants.forgetNamespace('team-a');
    expect(tenants.storeFor('team-a', identity)).not.toBe(a);
    expect(tenants.storeFor('team-b', identity)).toBe(b);
  });

  it('refuses an identity without a tenant when the agent has none', () => {
    expect(() => stores(undefined).tenants.storeFor('team-a', identity)).toThrow(/TenantIdentityUnconfigured|without a tenantId/);
    expect(stores(undefined).tenants.storeFor('team-a', { ...identity, tenantId: '7e57e57e-0000-4000-8000-00000000a4b5' })).toBeDefined();
  });
});
