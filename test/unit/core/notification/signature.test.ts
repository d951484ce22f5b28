import { createHmac } from 'node:crypto';
import { computeSignature, signNotification, stringToSign, verifySignature } from '../../../../core/notification/signature.js';
import { TerminalError } from '../../../../core/errors.js';

const key = new Uint8Array(32).fill(7);

describe('signature', () => {
  it('signs the scheme, key id, timestamp and raw body, newline-separated', () => {
    expect(stringToSign('k1', 1700000000, '{"a":1}')).toBe('akvsync-v1\nk1\n1700000000\n{"a":1}');
  });

  it('refuses a short key or a bad key id with a TerminalError that does not contain the key', () => {
    expect(() => signNotification({ keyId: 'k1', key: new Uint8Array(31) }, 1, '{}')).toThrow(TerminalError);
    expect(() => signNotification({ keyId: 'bad id', key }, 1, '{}')).toThrow(/signing key id "bad id"/);
  });

  it.each([-1, 1.5, Number.NaN])('refuses timestamp %p', (ts) => {
    expect(() => signNotification({ keyId: 'k1', key }, ts, '{}')).toThrow(TerminalError);
  });

  it('signs with the bytes the key holds now, even when the same buffer was used before and changed in place', () => {
    const mutable = new Uint8Array(32).fill(1);
    const hmac = (bytes: Uint8Array): string => `v1=${createHmac('sha256', bytes).update(stringToSign('k1', 1, '{}')).digest('base64url')}`;
    expect(computeSignature(mutable, 'k1', 1, '{}')).toBe(hmac(new Uint8Array(32).fill(1)));
    expect(computeSignature(mutable, 'k1', 1, '{}')).toBe(hmac(new Uint8Array(32).fill(1)));

    mutable.fill(2);

    expect(computeSignature(mutable, 'k1', 1, '{}')).toBe(hmac(new Uint8Array(32).fill(2)));
  });

  it('treats a signature of the right length but wrong bytes as bad, not malformed', () => {
    const sig = computeSignature(new Uint8Array(32).fill(8), 'k1', 1, '{}');
    const check = verifySignature(new Map([['k1', key]]), { keyId: 'k1', timestamp: 1, signature: sig, body: '{}' }, 1, 300);
    expect(check).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
