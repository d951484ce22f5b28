import { parseKeyVaultObjectId, vaultNameFromResourceId } from '../../../../core/events/key-vault-ids.js';

describe('parseKeyVaultObjectId', () => {
  it('reads vault, collection, name and version from a public-cloud id', () => {
    expect(parseKeyVaultObjectId('https://kv-a.vault.azure.net/Secrets/db/0123abcd/')).toEqual({
      vaultFromHost: 'kv-a',
      collection: 'secrets',
      name: 'db',
      version: '0123abcd',
    });
  });

  it('decodes percent-encoded names', () => {
    expect(parseKeyVaultObjectId('https://127.0.0.1:8443/secrets/caf%C3%A9/v1')).toMatchObject({ vaultFromHost: undefined, name: 'café' });
  });

  it.each([
    ['https://kv-a.vault.azure.net/secrets/%E0%A4%A/v1', 'has a badly percent-encoded path'],
    ['https://user:pw@kv-a.vault.azure.net/secrets/db/v1', 'has a query, fragment or credentials'],
    ['https://kv-a.vault.azure.net/secrets/db/v1#x', 'has a query, fragment or credentials'],
    [`https://kv-a.vault.azure.net/secrets/${'a'.repeat(3000)}/v1`, 'is longer than 2048 characters'],
  ])('rejects %s', (id, reason) => {
    expect(parseKeyVaultObjectId(id)).toBe(reason);
  });
});

describe('vaultNameFromResourceId', () => {
  it('reads the vault name, case-insensitively', () => {
    expect(vaultNameFromResourceId('/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/KV-A')).toBe('kv-a');
  });

  it.each([
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-a/secrets/x',
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/kv-a',
    'kv-a',
  ])('returns undefined for %s', (rid) => {
    expect(vaultNameFromResourceId(rid)).toBeUndefined();
  });
});
