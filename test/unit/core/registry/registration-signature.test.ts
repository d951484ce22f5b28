import { computeSignature } from '../../../../core/notification/signature.js';
import { registrationStringToSign, signRegistration, verifyRegistration } from '../../../../core/registry/registration-signature.js';
import { TerminalError } from '../../../../core/errors.js';

const key = { keyId: 'k1', key: new Uint8Array(32).fill(7) };
const keyring = new Map([['k1', key.key]]);
const NONCE = 'n0nce-AAAAAAAAAAAAAAAAAA';
const NOW = 1_800_000_000;

describe('registration signature', () => {
  it('signs its own prefix, key id, timestamp, nonce and body, newline-separated', () => {
    expect(registrationStringToSign('k1', 1, NONCE, '{}')).toBe(`akvsync-register-v1\nk1\n1\n${NONCE}\n{}`);
  });

  it('verifies what it signed', () => {
    expect(verifyRegistration(keyring, signRegistration(key, NOW, NONCE, '{"a":1}'), NOW)).toEqual({ ok: true, keyId: 'k1' });
  });

  it('refuses a notification signature over the same key id, timestamp and body (never replayable as a registration)', () => {
    const notificationSignature = computeSignature(key.key, 'k1', NOW, '{"a":1}');
    const check = verifyRegistration(keyring, { keyId: 'k1', timestamp: NOW, nonce: NONCE, signature: notificationSignature, body: '{"a":1}' }, NOW);
    expect(check).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('binds the nonce, the body and the timestamp', () => {
    const signed = signRegistration(key, NOW, NONCE, '{"a":1}');
    expect(verifyRegistration(keyring, { ...signed, nonce: `${NONCE}x` }, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyRegistration(keyring, { ...signed, body: '{"a":2}' }, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyRegistration(keyring, { ...signed, timestamp: NOW + 1 }, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a forged signature, an unknown key, a malformed signature or nonce, and a stale timestamp', () => {
    const signed = signRegistration(key, NOW, NONCE, '{}');
    const forged = signRegistration({ keyId: 'k1', key: new Uint8Array(32).fill(8) }, NOW, NONCE, '{}');
    expect(verifyRegistration(keyring, forged, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyRegistration(keyring, { ...signed, keyId: 'k2' }, NOW)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(verifyRegistration(keyring, { ...signed, signature: 'v1=short' }, NOW)).toEqual({ ok: false, reason: 'malformed-signature' });
    expect(verifyRegistration(keyring, { ...signed, nonce: 'short' }, NOW)).toEqual({ ok: false, reason: 'malformed-signature' });
    expect(verifyRegistration(keyring, signed, NOW + 301)).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verifyRegistration(keyring, signed, NOW - 300)).toEqual({ ok: true, keyId: 'k1' });
  });

  it('refuses to sign with a bad nonce or timestamp', () => {
    expect(() => signRegistration(key, NOW, 'short', '{}')).toThrow(TerminalError);
    expect(() => signRegistration(key, -1, NONCE, '{}')).toThrow(TerminalError);
  });
});
