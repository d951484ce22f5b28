import { newVersionEvent } from '../../../../scripts/kv-emulator/event-grid-event.js';
import type { NewVersion } from '../../../../scripts/kv-emulator/object-records.js';

const RESOURCE_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-prod';

function build(created: Partial<NewVersion> = {}) {
  return newVersionEvent({
    id: 'e-1',
    vault: 'kv-prod',
    resourceId: RESOURCE_ID,
    eventTime: '2026-03-11T09:15:42.103Z',
    created: { objectType: 'Secret', name: 'db-password', version: 'ee059b2bb5bc48398a53b168c6cdcb10', nbf: undefined, exp: undefined, ...created },
  });
}

describe('newVersionEvent', () => {
  it('builds the Event Grid schema event Azure delivers for a new secret version', () => {
    expect(build({ nbf: 1741684542, exp: 1744329600 })).toEqual({
      id: 'e-1',
      topic: RESOURCE_ID,
      subject: 'db-password',
      eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
      eventTime: '2026-03-11T09:15:42.103Z',
      dataVersion: '1',
      metadataVersion: '1',
      data: {
        Id: 'https://kv-prod.vault.azure.net/secrets/db-password/ee059b2bb5bc48398a53b168c6cdcb10',
        VaultName: 'kv-prod',
        ObjectType: 'Secret',
        ObjectName: 'db-password',
        Version: 'ee059b2bb5bc48398a53b168c6cdcb10',
        NBF: 1741684542,
        EXP: 1744329600,
      },
    });
  });

  it('uses null for absent NBF/EXP and the right collection and type for certificates and keys', () => {
    expect(build().data).toMatchObject({ NBF: null, EXP: null });
    const cert = build({ objectType: 'Certificate', name: 'tls' });
    expect(cert.eventType).toBe('Microsoft.KeyVault.CertificateNewVersionCreated');
    expect(cert.data.Id).toBe('https://kv-prod.vault.azure.net/certificates/tls/ee059b2bb5bc48398a53b168c6cdcb10');
    const key = build({ objectType: 'Key', name: 'k' });
    expect(key.eventType).toBe('Microsoft.KeyVault.KeyNewVersionCreated');
    expect(key.data).toMatchObject({ ObjectType: 'Key', Id: 'https://kv-prod.vault.azure.net/keys/k/ee059b2bb5bc48398a53b168c6cdcb10' });
  });
});
