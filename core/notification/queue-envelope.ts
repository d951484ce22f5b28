import { TerminalError } from '../errors.js';
import { MAX_NOTIFICATION_BYTES, type SignedNotification } from './notification.js';
import { parseJsonObject } from './parse-json-object.js';
import { KEY_ID_PATTERN } from './signature.js';

/**
 * A signed notification carried as an Azure Storage Queue message (queue mode, docs/adr/0001-notification-protocol.md).
 * The message text is the base64 of the UTF-8 JSON `{"v":1,"keyId","timestamp","signature","body"}`: base64 is what
 * the Functions queue trigger, Storage Explorer and the portal expect by default, and it keeps any character of the
 * body safe in the queue's XML transport. Decoding also accepts the plain JSON text (some tools do not encode).
 */
export const QUEUE_ENVELOPE_VERSION = 1;
/** Base64 of the largest envelope: body + metadata, with room for JSON escaping. */
const MAX_MESSAGE_CHARS = 4 * Math.ceil((2 * MAX_NOTIFICATION_BYTES + 512) / 3);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SIGNATURE = /^v1=[A-Za-z0-9_-]{1,100}$/;

const invalid = (message: string): TerminalError => new TerminalError('InvalidQueueMessage', message);

export function encodeQueueMessage(s: SignedNotification): string {
  const json = JSON.stringify({ v: QUEUE_ENVELOPE_VERSION, keyId: s.keyId, timestamp: s.timestamp, signature: s.signature, body: s.body });
  return Buffer.from(json, 'utf8').toString('base64');
}

/** Throws TerminalError('InvalidQueueMessage') naming the bad field; never echoes the message. */
export function decodeQueueMessage(text: string): SignedNotification {
  const trimmed = text.trim();
  if (trimmed.length > MAX_MESSAGE_CHARS) throw invalid(`queue message is longer than ${MAX_MESSAGE_CHARS} characters`);
  let json: string;
  if (trimmed.startsWith('{')) json = trimmed;
  else if (BASE64.test(trimmed) && trimmed.length % 4 === 0) json = Buffer.from(trimmed, 'base64').toString('utf8');
  else throw invalid('queue message is neither base64 nor JSON');
  const m = parseJsonObject(json, 'queue message', invalid);
  const extra = Object.keys(m).find((k) => !['v', 'keyId', 'timestamp', 'signature', 'body'].includes(k));
  if (extra !== undefined) throw invalid(`queue message field ${JSON.stringify(extra.slice(0, 40))} is not allowed`);
  if (m.v !== QUEUE_ENVELOPE_VERSION) throw invalid(`queue message field "v" must be ${QUEUE_ENVELOPE_VERSION}`);
  if (typeof m.keyId !== 'string' || !KEY_ID_PATTERN.test(m.keyId)) throw invalid(`queue message field "keyId" must match ${KEY_ID_PATTERN}`);
  if (typeof m.timestamp !== 'number' || !Number.isSafeInteger(m.timestamp) || m.timestamp < 0) {
    throw invalid('queue message field "timestamp" must be whole unix seconds');
  }
  if (typeof m.signature !== 'string' || !SIGNATURE.test(m.signature)) throw invalid('queue message field "signature" must be v1=<base64url>');
  if (typeof m.body !== 'string') throw invalid('queue message field "body" must be a string');
  if (Buffer.byteLength(m.body, 'utf8') > MAX_NOTIFICATION_BYTES) {
    throw invalid(`queue message field "body" is more than ${MAX_NOTIFICATION_BYTES} bytes`);
  }
  return { keyId: m.keyId, timestamp: m.timestamp, signature: m.signature, body: m.body };
}
