import { TerminalError } from '../errors.js';
import { keyVaultEventType } from '../events/key-vault-event-types.js';
import { isEventId, isEventTime, isObjectName, isVaultName, isVersion, preview } from '../events/key-vault-names.js';
import { MAX_NOTIFICATION_BYTES, type Notification } from './notification.js';
import { notificationFields } from './notification-body.js';
import { parseJsonObject } from './parse-json-object.js';

const FIELDS = ['vault', 'objectType', 'objectName', 'version', 'eventType', 'eventId', 'eventTime'] as const;
type Field = (typeof FIELDS)[number];

/** Shape rule per field; the message says what was expected, never what was received. */
const RULES: Readonly<Record<Field, readonly [(s: string) => boolean, string]>> = {
  vault: [isVaultName, 'a lower-case vault name of 3-24 characters'],
  objectType: [(s) => s === 'Secret' || s === 'Certificate' || s === 'Key', 'Secret, Certificate or Key'],
  objectName: [isObjectName, 'an object name of 1-127 characters'],
  version: [isVersion, 'a version id of 1-64 characters'],
  eventType: [(s) => keyVaultEventType(s)?.eventType === s, 'a handled Microsoft.KeyVault event type'],
  eventId: [isEventId, 'printable ASCII of 1-128 characters'],
  eventTime: [isEventTime, 'an ISO-8601 date-time'],
};

const invalid = (message: string): TerminalError => new TerminalError('InvalidNotification', message);

/**
 * Strictly parses a received notification body: a JSON object of at most MAX_NOTIFICATION_BYTES with exactly the
 * known fields, each a string of the right shape. Throws TerminalError('InvalidNotification') naming the field;
 * the message never contains the raw body (not even through a JSON parse error, which would quote it).
 */
export function parseNotificationBody(raw: string): Notification {
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_NOTIFICATION_BYTES) throw invalid(`notification body is ${bytes} bytes, more than ${MAX_NOTIFICATION_BYTES}`);
  const obj = parseJsonObject(raw, 'notification body', invalid);
  for (const key of Object.keys(obj)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw invalid(`notification field ${preview(key, 40)} is not allowed`);
  }
  for (const field of FIELDS) {
    const value = obj[field];
    if (value === undefined) throw invalid(`notification field "${field}" is missing`);
    const [valid, expected] = RULES[field];
    if (typeof value !== 'string' || !valid(value)) throw invalid(`notification field "${field}" must be ${expected}`);
  }
  const n = obj as unknown as Notification;
  if (keyVaultEventType(n.eventType)?.objectType !== n.objectType) {
    throw invalid('notification field "eventType" does not match "objectType"');
  }
  return notificationFields(n);
}
