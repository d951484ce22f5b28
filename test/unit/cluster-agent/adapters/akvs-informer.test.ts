import { dropManagedFields } from '../../../../cluster-agent/adapters/akvs-informer.js';

describe('dropManagedFields', () => {
  it('removes metadata.managedFields in place (the informer cache holds the same object) and keeps everything else', () => {
    const cr = {
      apiVersion: 'akvsync.io/v1',
      kind: 'AzureKeyVaultSecret',
      metadata: { name: 'a', namespace: 'ns', uid: 'u1', generation: 2, labels: { team: 'x' }, managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }] },
      spec: { vault: { name: 'kv' } },
      status: { version: 'v1' },
    };
    const same = dropManagedFields(cr);
    expect(same).toBe(cr);
    expect(cr.metadata).toEqual({ name: 'a', namespace: 'ns', uid: 'u1', generation: 2, labels: { team: 'x' } });
    expect(cr.spec).toEqual({ vault: { name: 'kv' } });
    expect(cr.status).toEqual({ version: 'v1' });
  });

  it('leaves an object without metadata or managedFields as it is', () => {
    expect(dropManagedFields({ kind: 'X' })).toEqual({ kind: 'X' });
    expect(dropManagedFields({ metadata: { name: 'b' } })).toEqual({ metadata: { name: 'b' } });
  });
});
