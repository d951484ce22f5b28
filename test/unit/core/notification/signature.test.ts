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

  it('treats a signature of the right length but wrong bytes as bad, not malformed', () => {
    const sig = computeSignature(new Uint8Array(32).fill(8), 'k1', 1, '{}');
    const check = verifySignature(new Map([['k1', key]]), { keyId: 'k1', timestamp: 1, signature: sig, body: '{}' }, 1, 300);
    expect(check).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
