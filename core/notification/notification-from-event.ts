import type { KeyVaultEvent } from '../events/key-vault-event.js';
import type { Notification } from './notification.js';

/** The notification for one Key Vault event: names, version and event identity only, never a value. */
export function toNotification(e: KeyVaultEvent): Notification {
  return {
    vault: e.vault,
    objectType: e.objectType,
    objectName: e.objectName,
    version: e.version,
    eventType: e.eventType,
    eventId: e.eventId,
    eventTime: e.eventTime,
  };
}
