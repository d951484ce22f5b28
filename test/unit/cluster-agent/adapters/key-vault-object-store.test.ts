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

  it('answers UnsupportedObjectType for keys without calling Key Vault', async () => {
    const store = new KeyVaultObjectStore({ credential, vaultUrl: () => 'https://127.0.0.1:1' });
    await expect(store.read({ vault: 'kv1', objectType: 'key', name: 'k' })).rejects.toMatchObject({ code: 'UnsupportedObjectType' });
    expect(store.clientCount).toBe(0);
  });
});
