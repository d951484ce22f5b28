import { notificationBody } from '../../../../core/notification/notification-body.js';
import { toNotification } from '../../../../core/notification/notification-from-event.js';
import { TerminalError } from '../../../../core/errors.js';
import { NOTIFICATION_VECTORS } from '../../../../core/notification/vectors.js';
import { keyVaultEvent } from '../../../support/key-vault-events.js';

describe('notificationBody', () => {
  it('writes the canonical body byte for byte (the first conformance vector)', () => {
    expect(notificationBody(toNotification(keyVaultEvent()))).toBe(NOTIFICATION_VECTORS[0]!.body);
  });

  it('drops properties that are not notification fields', () => {
    const wider = { ...toNotification(keyVaultEvent()), value: 'hunter2' };
    expect(notificationBody(wider)).not.toContain('hunter2');
  });

  it('refuses a body over the size limit', () => {
    const n = toNotification(keyVaultEvent({ objectName: 'x'.repeat(5000) }));
    expect(() => notificationBody(n)).toThrow(TerminalError);
  });
});
