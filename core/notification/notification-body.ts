import { TerminalError } from '../errors.js';
import { MAX_NOTIFICATION_BYTES, type Notification } from './notification.js';

/** Exactly the notification fields of `n`, in the canonical order. */
export function notificationFields(n: Notification): Notification {
  return {
    vault: n.vault,
    objectType: n.objectType,
    objectName: n.objectName,
    version: n.version,
    eventType: n.eventType,
    eventId: n.eventId,
    eventTime: n.eventTime,
  };
}

/**
 * The exact JSON body that is signed and sent: the known fields in a fixed order, nothing else (extra properties
 * on the argument are dropped, so a wider object cannot leak into the wire format).
 */
export function notificationBody(n: Notification): string {
  const body = JSON.stringify(notificationFields(n));
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_NOTIFICATION_BYTES) {
    throw new TerminalError('InvalidNotification', `notification body is ${bytes} bytes, more than ${MAX_NOTIFICATION_BYTES}`);
  }
  return body;
}
