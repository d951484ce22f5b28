import { toNotification } from '../../../../core/notification/notification-from-event.js';
import { keyVaultEvent } from '../../../support/key-vault-events.js';

describe('toNotification', () => {
  it('carries the object identity and event identity, nothing else', () => {
    const e = keyVaultEvent({ kind: 'Expired', eventType: 'Microsoft.KeyVault.SecretExpired', eventId: 'e-1' });
    expect(toNotification(e)).toEqual({
      vault: e.vault,
      objectType: 'Secret',
      objectName: 'db-password',
      version: e.version,
      eventType: 'Microsoft.KeyVault.SecretExpired',
      eventId: 'e-1',
      eventTime: e.eventTime,
    });
  });
});
