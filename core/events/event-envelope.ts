import { preview } from './key-vault-names.js';

/**
 * The schema-independent envelope of one delivered event. Event Grid schema (`eventType`, `eventTime`, `topic`)
 * and CloudEvents 1.0 (`specversion`, `type`, `time`, `source`) are told apart per item by `specversion`.
 * Keys are matched case-insensitively and trimmed; string values are trimmed.
 */
export type EventSchema = 'EventGrid' | 'CloudEvents';

export interface EventEnvelope {
  readonly schema: EventSchema;
  readonly id: string;
  readonly type: string;
  readonly time: string;
  /** `topic` (Event Grid, optional) or `source` (CloudEvents, required). */
  readonly resourceId: string | undefined;
  readonly subject: string | undefined;
  readonly data: ReadonlyMap<string, unknown>;
}

/** A field lookup with keys lower-cased and trimmed (`"ObjectName "` and `objectName` both become `objectname`). */
export function normalisedFields(obj: object): ReadonlyMap<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) fields.set(key.trim().toLowerCase(), value);
  return fields;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Thrown (and caught by the parser) when an item is malformed; the message names the field. */
export class InvalidItem extends Error {}

/** A trimmed, non-empty string field, or undefined when absent, null or blank; any other type is an InvalidItem. */
export function optionalString(fields: ReadonlyMap<string, unknown>, key: string, label: string): string | undefined {
  const value = fields.get(key.toLowerCase());
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidItem(`${label}: expected a string, got ${preview(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function requiredString(fields: ReadonlyMap<string, unknown>, key: string, label: string): string {
  const value = optionalString(fields, key, label);
  if (value === undefined) throw new InvalidItem(`${label}: missing`);
  return value;
}

/** Wire names of the envelope fields in each schema. */
const NAMES = {
  EventGrid: { type: 'eventType', time: 'eventTime', resourceId: 'topic' },
  CloudEvents: { type: 'type', time: 'time', resourceId: 'source' },
} as const;

export function detectSchema(fields: ReadonlyMap<string, unknown>): EventSchema {
  if (!fields.has('specversion')) return 'EventGrid';
  if (optionalString(fields, 'specversion', 'specversion') !== '1.0') {
    throw new InvalidItem(`specversion: unsupported ${preview(fields.get('specversion'))}`);
  }
  return 'CloudEvents';
}

/** The event type alone, so unknown types can be ignored before anything else about them is judged. */
export function readEventType(fields: ReadonlyMap<string, unknown>, schema: EventSchema): string {
  return requiredString(fields, NAMES[schema].type, NAMES[schema].type);
}

/** Reads the rest of the envelope; throws InvalidItem naming the first bad field. */
export function readEnvelope(fields: ReadonlyMap<string, unknown>, schema: EventSchema): EventEnvelope {
  const names = NAMES[schema];
  const data = fields.get('data');
  if (!isPlainObject(data)) throw new InvalidItem(`data: expected an object, got ${preview(data)}`);
  const resourceId =
    schema === 'CloudEvents'
      ? requiredString(fields, names.resourceId, names.resourceId)
      : optionalString(fields, names.resourceId, names.resourceId);
  return {
    schema,
    id: requiredString(fields, 'id', 'id'),
    type: readEventType(fields, schema),
    time: requiredString(fields, names.time, names.time),
    resourceId,
    subject: optionalString(fields, 'subject', 'subject'),
    data: normalisedFields(data),
  };
}

/** Wire name of the envelope's resource id field, for messages. */
export const resourceIdLabel = (schema: EventSchema): string => NAMES[schema].resourceId;
export const timeLabel = (schema: EventSchema): string => NAMES[schema].time;
