import { operationOf } from '../../../../cluster-agent/adapters/key-vault-object-store.js';

describe('operationOf (metric label of a Key Vault request; never a name)', () => {
  it.each([
    ['GET', 'https://kv.vault.azure.net/secrets/db/abc?api-version=7.6', 'getSecret'],
    ['GET', 'https://kv.vault.azure.net/secrets?maxresults=25', 'listSecrets'],
    ['GET', 'https://kv.vault.azure.net/secrets/db/versions', 'listVersions'],
    ['GET', 'https://kv.vault.azure.net/keys/signing/', 'getKey'],
    ['GET', 'https://kv.vault.azure.net/keys/signing/0123', 'getKey'],
    ['GET', 'https://kv.vault.azure.net/keys', 'listKeys'],
    ['GET', 'https://kv.vault.azure.net/keys/signing/versions', 'listKeyVersions'],
    ['GET', 'https://kv.vault.azure.net/certificates/tls', 'getOther'],
  ])('%s %s → %s', (method, url, operation) => {
    expect(operationOf(method, url)).toBe(operation);
  });
});
