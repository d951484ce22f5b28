import { parseKeyring } from '../../../../core/notification/keyring.js';
import type { TerminalError } from '../../../../core/errors.js';
import { thrownTerminal } from './thrown.js';

const KEY_A = Buffer.alloc(32, 0xab);
const KEY_B = Buffer.alloc(48, 0xcd);
const b64 = (b: Buffer): string => b.toString('base64');

const keyringError = (json: string): TerminalError => thrownTerminal(() => parseKeyring(json), 'InvalidKeyring');

describe('parseKeyring', () => {
  it('reads every key (several during rotation)', () => {
    const ring = parseKeyring(JSON.stringify({ 'cluster-a-1': b64(KEY_A), 'cluster-a-2': b64(KEY_B) }));
    expect([...ring.keys()]).toEqual(['cluster-a-1', 'cluster-a-2']);
    expect(Buffer.from(ring.get('cluster-a-1')!)).toEqual(KEY_A);
    expect(Buffer.from(ring.get('cluster-a-2')!)).toEqual(KEY_B);
  });

  it('accepts base64url and surrounding whitespace (a mounted file often ends in a newline)', () => {
    const ring = parseKeyring(`${JSON.stringify({ k: ` ${KEY_B.toString('base64url')}\n` })}\n`);
    expect(Buffer.from(ring.get('k')!)).toEqual(KEY_B);
  });

  it('names a short key without printing it', () => {
    const short = Buffer.alloc(16, 0x41).toString('base64');
    const e = keyringError(JSON.stringify({ 'cluster-a-1': short }));
    expect(e.message).toBe('keyring key "cluster-a-1" is 16 bytes, fewer than 32');
    expect(e.message).not.toContain(short);
  });

  it('names a key that is not base64 without printing it', () => {
    const bad = `${b64(KEY_A)}!!`;
    const e = keyringError(JSON.stringify({ 'cluster-a-1': bad }));
    expect(e.message).toBe('keyring key "cluster-a-1" is not valid base64');
    expect(e.message).not.toContain(b64(KEY_A).slice(0, 20));
  });

  it('names a key that is not a string', () => {
    expect(keyringError(JSON.stringify({ 'cluster-a-1': 5 })).message).toBe('keyring key "cluster-a-1" must be a base64 string');
  });

  it('names a bad key id', () => {
    expect(keyringError(JSON.stringify({ 'bad id': b64(KEY_A) })).message).toMatch(/^keyring key id "bad id" must match/);
  });

  it('rejects invalid JSON without quoting the content', () => {
    const e = keyringError(`{"k": "${b64(KEY_A)}"`);
    expect(e.message).toBe('keyring is not valid JSON');
    expect(e.message).not.toContain(b64(KEY_A).slice(0, 20));
    expect(e.cause).toBeUndefined();
  });

  it.each([
    ['an array', '[]', 'keyring is not a JSON object'],
    ['an empty object', '{}', 'keyring has no keys'],
  ])('rejects %s', (_label, json, message) => {
    expect(keyringError(json).message).toBe(message);
  });

  it('rejects an implausibly large keyring', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, b64(KEY_A)]));
    expect(keyringError(JSON.stringify(many)).message).toBe('keyring has 17 keys, more than 16');
  });
});
