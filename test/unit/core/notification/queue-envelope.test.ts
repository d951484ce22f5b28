import { decodeQueueMessage, encodeQueueMessage } from '../../../../core/notification/queue-envelope.js';
import type { SignedNotification } from '../../../../core/notification/notification.js';
import { NOTIFICATION_VECTORS } from '../../../../core/notification/vectors.js';
import type { TerminalError } from '../../../../core/errors.js';
import { thrownTerminal } from './thrown.js';

const vector = NOTIFICATION_VECTORS.find((v) => v.name.startsWith('unicode'))!;
const signed = (overrides: Partial<SignedNotification> = {}): SignedNotification => ({
  keyId: vector.signingKey.keyId,
  timestamp: vector.timestamp,
  signature: vector.expectedSignature,
  body: vector.body,
  ...overrides,
});
const envelope = (fields: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify({ v: 1, keyId: 'k', timestamp: 1, signature: vector.expectedSignature, body: '{}', ...fields })).toString('base64');

const decodeError = (text: string): TerminalError => thrownTerminal(() => decodeQueueMessage(text), 'InvalidQueueMessage');

describe('queue envelope', () => {
  it('round-trips a signed notification byte for byte, unicode included', () => {
    expect(decodeQueueMessage(encodeQueueMessage(signed()))).toEqual(signed());
  });

  it('encodes as base64 of the JSON envelope {v, keyId, timestamp, signature, body}', () => {
    const text = encodeQueueMessage(signed());
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual({ v: 1, ...signed() });
  });

  it('also accepts the plain JSON text', () => {
    const json = Buffer.from(encodeQueueMessage(signed()), 'base64').toString('utf8');
    expect(decodeQueueMessage(json)).toEqual(signed());
  });

  it.each([
    ['v', { v: 2 }, 'queue message field "v" must be 1'],
    ['keyId', { keyId: 'has space' }, 'queue message field "keyId" must match'],
    ['timestamp', { timestamp: '1741684600' }, 'queue message field "timestamp" must be whole unix seconds'],
    ['timestamp', { timestamp: 1.5 }, 'queue message field "timestamp" must be whole unix seconds'],
    ['signature', { signature: 'abc' }, 'queue message field "signature" must be v1=<base64url>'],
    ['body', { body: { vault: 'x' } }, 'queue message field "body" must be a string'],
    ['body size', { body: 'x'.repeat(5000) }, 'queue message field "body" is more than 4096 bytes'],
    ['extra field', { value: 'hunter2' }, 'queue message field "value" is not allowed'],
  ])('names a bad %s', (_label, fields, message) => {
    expect(decodeError(envelope(fields)).message).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('rejects text that is neither base64 nor JSON, without echoing it', () => {
    const e = decodeError('hunter2 is not base64!');
    expect(e.message).toBe('queue message is neither base64 nor JSON');
    expect(e.message).not.toContain('hunter2');
  });

  it('rejects base64 that is not JSON, without echoing it', () => {
    const e = decodeError(Buffer.from('hunter2').toString('base64').padEnd(12, '='));
    expect(e.message).not.toContain('hunter2');
  });

  it('rejects an oversized message before decoding it', () => {
    expect(decodeError('A'.repeat(20_000)).message).toMatch(/^queue message is longer than/);
  });
});
