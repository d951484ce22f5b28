import type { KeyVaultEvent, ParsedDelivery, RejectedEvent } from './key-vault-event.js';
import { COLLECTION_OF, keyVaultEventType, type KeyVaultEventTypeInfo } from './key-vault-event-types.js';
import { parseKeyVaultObjectId, vaultNameFromResourceId } from './key-vault-ids.js';
import { isEventId, isEventTime, isObjectName, isVaultName, isVersion, preview } from './key-vault-names.js';
import {
  type EventEnvelope,
  InvalidItem,
  detectSchema,
  isPlainObject,
  normalisedFields,
  readEnvelope,
  readEventType,
  requiredString,
  resourceIdLabel,
  timeLabel,
} from './event-envelope.js';

/**
 * Turns an Event Grid delivery (Event Grid schema or CloudEvents 1.0, one object or a batch) into normalised Key Vault
 * events. Never throws on bad input: every item becomes an event, or a rejection that is `ignored` (a type we do not
 * act on) or `invalid` (malformed, with a reason naming the field). One bad item never blocks the others.
 */
export function parseKeyVaultEvents(body: unknown): ParsedDelivery {
  const items: readonly unknown[] = Array.isArray(body) ? body : [body];
  const events: KeyVaultEvent[] = [];
  const rejected: RejectedEvent[] = [];
  items.forEach((item, index) => {
    const result = parseItem(item, index);
    if ('outcome' in result) rejected.push(result);
    else events.push(result);
  });
  return { events, rejected };
}

function parseItem(item: unknown, index: number): KeyVaultEvent | RejectedEvent {
  if (!isPlainObject(item)) {
    return { index, eventId: undefined, eventType: undefined, outcome: 'invalid', reason: `item: expected an object, got ${preview(item)}` };
  }
  const fields = normalisedFields(item);
  const eventId = capped(fields.get('id'));
  const eventType = capped(fields.get('eventtype') ?? fields.get('type'));
  const reject = (outcome: RejectedEvent['outcome'], reason: string): RejectedEvent =>
    ({ index, eventId, eventType, outcome, reason });
  try {
    const schema = detectSchema(fields);
    const type = readEventType(fields, schema);
    const info = keyVaultEventType(type);
    if (!info) return reject('ignored', `event type ${preview(type)} is not handled`);
    return toKeyVaultEvent(readEnvelope(fields, schema), info);
  } catch (e) {
    if (e instanceof InvalidItem) return reject('invalid', e.message);
    throw e;
  }
}

function toKeyVaultEvent(env: EventEnvelope, info: KeyVaultEventTypeInfo): KeyVaultEvent {
  if (!isEventId(env.id)) throw new InvalidItem('id: expected printable ASCII, at most 128 characters');
  if (!isEventTime(env.time)) throw new InvalidItem(`${timeLabel(env.schema)}: expected an ISO-8601 date-time, got ${preview(env.time)}`);

  const d = env.data;
  const id = requiredString(d, 'id', 'data.Id');
  const vault = requiredString(d, 'vaultName', 'data.VaultName').toLowerCase();
  const objectType = requiredString(d, 'objectType', 'data.ObjectType');
  const objectName = requiredString(d, 'objectName', 'data.ObjectName');
  const version = requiredString(d, 'version', 'data.Version');

  if (!isVaultName(vault)) throw new InvalidItem(`data.VaultName: not a vault name: ${preview(vault)}`);
  if (objectType.toLowerCase() !== info.objectType.toLowerCase()) {
    throw new InvalidItem(`data.ObjectType: ${preview(objectType)} does not match event type ${info.eventType}`);
  }
  if (!isObjectName(objectName)) throw new InvalidItem(`data.ObjectName: not an object name: ${preview(objectName)}`);
  if (!isVersion(version)) throw new InvalidItem(`data.Version: not a version id: ${preview(version)}`);

  const objectId = parseKeyVaultObjectId(id);
  if (typeof objectId === 'string') throw new InvalidItem(`data.Id: ${objectId}`);
  if (objectId.collection !== COLLECTION_OF[info.objectType]) {
    throw new InvalidItem(`data.Id: collection ${preview(objectId.collection)} does not match ObjectType ${info.objectType}`);
  }
  if (objectId.vaultFromHost !== undefined && objectId.vaultFromHost !== vault) {
    throw new InvalidItem('data.VaultName: does not match the vault in data.Id');
  }
  if (!sameName(objectId.name, objectName)) throw new InvalidItem('data.ObjectName: does not match the name in data.Id');
  if (!sameName(objectId.version, version)) throw new InvalidItem('data.Version: does not match the version in data.Id');

  if (env.resourceId !== undefined) {
    const label = resourceIdLabel(env.schema);
    const fromResource = vaultNameFromResourceId(env.resourceId);
    if (fromResource === undefined) throw new InvalidItem(`${label}: not a Key Vault resource id`);
    if (fromResource !== vault) throw new InvalidItem(`${label}: vault does not match data.VaultName`);
  }
  if (env.subject !== undefined && !sameName(env.subject, objectName)) {
    throw new InvalidItem('subject: does not match data.ObjectName');
  }

  return {
    eventId: env.id,
    eventType: info.eventType,
    kind: info.kind,
    objectType: info.objectType,
    vault,
    objectName,
    version,
    eventTime: env.time,
    vaultResourceId: env.resourceId,
    notBefore: epochSeconds(d, 'nbf', 'data.NBF'),
    expires: epochSeconds(d, 'exp', 'data.EXP'),
  };
}

/** Key Vault names and versions are case-insensitive. */
const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** `NBF` / `EXP`: epoch seconds as a number or a numeric string; null, blank or missing mean "not set". */
function epochSeconds(data: ReadonlyMap<string, unknown>, key: string, label: string): number | undefined {
  const value = data.get(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return undefined;
    if (/^\d{1,15}$/.test(trimmed)) return Number(trimmed);
  }
  throw new InvalidItem(`${label}: expected epoch seconds, got ${preview(value)}`);
}

/** An envelope string echoed into a rejection, capped so untrusted input cannot flood logs. */
function capped(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 128 ? `${trimmed.slice(0, 128)}…` : trimmed;
}
