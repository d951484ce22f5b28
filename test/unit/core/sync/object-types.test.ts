import { AKVS_OBJECT_TYPES } from '../../../../core/crd/azure-key-vault-secret.js';
import type { AkvsSpec } from '../../../../core/crd/azure-key-vault-secret.js';
import { OBJECT_TYPES, VAULT_OBJECT_TYPES, isVaultObjectType, vaultObjectRefOf, vaultObjectTypeOfNotification } from '../../../../core/sync/object-types.js';

const spec = (type: AkvsSpec['vault']['object']['type']): AkvsSpec => ({ vault: { name: 'KV1', object: { name: 'db', type } }, output: { secret: { name: 'db', dataKey: 'k' } } });

describe('the object-type table', () => {
  it('has a row for every CR object type, naming the Key Vault object it reads', () => {
    expect(Object.keys(OBJECT_TYPES).sort()).toEqual([...AKVS_OBJECT_TYPES].sort());
    expect(vaultObjectRefOf(spec('secret'))).toEqual({ vault: 'kv1', objectType: 'secret', name: 'db' });
    expect(vaultObjectRefOf(spec('multi-key-value-secret'))).toEqual({ vault: 'kv1', objectType: 'secret', name: 'db' });
    expect(vaultObjectRefOf(spec('certificate')).objectType).toBe('certificate');
    expect(vaultObjectRefOf(spec('key')).objectType).toBe('key');
  });

  it('maps notification object types both ways and knows only its own vault object types', () => {
    for (const t of ['secret', 'certificate', 'key'] as const) expect(vaultObjectTypeOfNotification(VAULT_OBJECT_TYPES[t].notificationType)).toBe(t);
    expect(isVaultObjectType('secret')).toBe(true);
    expect(isVaultObjectType('toString')).toBe(false);
    expect(isVaultObjectType('__proto__')).toBe(false);
  });

  it('keys have no listing yet (the fallback check skips them); certificates are listed as their backing secret', () => {
    expect(VAULT_OBJECT_TYPES.key.listedAs).toBeUndefined();
    expect(VAULT_OBJECT_TYPES.certificate.listedAs).toBe('secret');
  });
});
