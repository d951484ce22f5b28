import { parseNotificationBody } from '../../../../core/notification/parse-notification.js';
import { PUSH_TIMESTAMP_WINDOW_SECONDS } from '../../../../core/notification/notification.js';
import { signNotification, verifySignature } from '../../../../core/notification/signature.js';
import { NOTIFICATION_VECTORS } from '../../../../core/notification/vectors.js';
import { runNotificationConformance } from '../../../support/notification-conformance.js';

runNotificationConformance('core', {
  sign: signNotification,
  verify: (keyring, signed, now, mode) => verifySignature(keyring, signed, now, mode === 'push' ? PUSH_TIMESTAMP_WINDOW_SECONDS : undefined),
  parse: parseNotificationBody,
});

describe('the conformance vectors themselves', () => {
  it('cover every verify outcome and both parse outcomes', () => {
    const outcomes = new Set(NOTIFICATION_VECTORS.map((v) => (v.expectedVerify.ok ? 'ok' : v.expectedVerify.reason)));
    expect([...outcomes].sort()).toEqual(['bad-signature', 'malformed-signature', 'ok', 'stale-timestamp', 'unknown-key']);
    expect(new Set(NOTIFICATION_VECTORS.map((v) => v.expectedParse))).toEqual(new Set(['ok', 'InvalidNotification']));
    expect(new Set(NOTIFICATION_VECTORS.map((v) => v.mode))).toEqual(new Set(['push', 'queue']));
  });

  it('have unique names', () => {
    expect(new Set(NOTIFICATION_VECTORS.map((v) => v.name)).size).toBe(NOTIFICATION_VECTORS.length);
  });
});

describe('the conformance runner catches a broken implementation', () => {
  // A verifier that ignores the window would pass every vector except the stale ones: prove the vectors notice.
  it('a verifier without the push window disagrees with the stale vectors', () => {
    const stale = NOTIFICATION_VECTORS.filter((v) => !v.expectedVerify.ok && v.expectedVerify.reason === 'stale-timestamp');
    expect(stale.length).toBeGreaterThan(0);
    for (const v of stale) {
      const keyring = new Map(Object.entries(v.keyring).map(([id, k]) => [id, new Uint8Array(Buffer.from(k, 'base64'))]));
      const check = verifySignature(keyring, { keyId: v.signingKey.keyId, timestamp: v.timestamp, signature: v.expectedSignature, body: v.body }, v.nowSeconds, undefined);
      expect(check).not.toEqual(v.expectedVerify);
    }
  });
});
