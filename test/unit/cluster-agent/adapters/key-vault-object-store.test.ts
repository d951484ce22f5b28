import type { TokenCredential } from '@azure/identity';
import { KeyVaultObjectStore } from '../../../../cluster-agent/adapters/key-vault-object-store.js';

const credential: TokenCredential = { getToken: async () => null };

describe('KeyVaultObjectStore', () => {
  it('keeps one client per vault and drops it when the vault is forgotten', () => {
    const store = new KeyVaultObjectStore({ credential, vaultUrl: (v) => `https://${v}.vault.azure.net` });
    const client = (vault: string): unknown => (store as unknown as { client(v: string): unknown }).client(vault);
    const first = client('kv1');
    expect(client('kv1')).toBe(first);
    client('kv2');
    expect(store.clientCount).toBe(2);
    store.forgetVault('kv1');
    expect(store.clientCount).toBe(1);
    expect(client('kv1')).not.toBe(first);
  });

  it('keeps a keys-API client per vault beside the secrets client, and forgetting the vault drops both', () => {
    const store = new KeyVaultObjectStore({ credential, vaultUrl: (v) => `https://${v}.vault.azure.net` });
    const clients = store as unknown as { client(v: string): unknown; keyClient(v: string): unknown };
    clients.client('kv1');
    const keys = clients.keyClient('kv1');
    expect(clients.keyClient('kv1')).toBe(keys);
    expect(store.clientCount).toBe(2);
    store.forgetVault('kv1');
    expect(store.clientCount).toBe(0);
    expect(clients.keyClient('kv1')).not.toBe(keys);
  });
});
