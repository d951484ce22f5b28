/**
 * Runs the notification conformance vectors (core/notification/vectors.ts) against any signer, verifier and body
 * parser, so core, the Function's signer and the agent's verifier are held to the same bytes. Call it inside a test
 * file; it declares one jest test per vector and capability:
 *
 *   runNotificationConformance('agent notify endpoint', { verify: (keyring, signed, now, mode) => … });
 */
import { NOTIFICATION_VECTORS, type NotificationVector } from '../../core/notification/vectors.js';
import type { SignedNotification } from '../../core/notification/notification.js';
import type { SignatureCheck, SigningKey } from '../../core/notification/signature.js';

type MaybePromise<T> = T | Promise<T>;

export interface NotificationConformanceSubject {
  /** Produce the signed notification for a body (the Function's signer). Only `signature` is compared. */
  readonly sign?: (key: SigningKey, timestamp: number, body: string) => MaybePromise<SignedNotification>;
  /** Judge a received notification (the agent's verifier). `mode` decides whether the ±300 s window applies. */
  readonly verify?: (
    keyring: ReadonlyMap<string, Uint8Array>,
    signed: SignedNotification,
    nowSeconds: number,
    mode: 'push' | 'queue',
  ) => MaybePromise<SignatureCheck>;
  /** Parse a received body; must throw an error with `code: 'InvalidNotification'` for a bad one. */
  readonly parse?: (raw: string) => MaybePromise<unknown>;
}

const keyBytes = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));

export const vectorSigningKey = (v: NotificationVector): SigningKey => ({ keyId: v.signingKey.keyId, key: keyBytes(v.signingKey.keyBase64) });

export const vectorKeyring = (v: NotificationVector): ReadonlyMap<string, Uint8Array> =>
  new Map(Object.entries(v.keyring).map(([id, k]) => [id, keyBytes(k)]));

/** The notification as it reaches the receiver: what was signed, with the vector's tampering applied. */
export const receivedNotification = (v: NotificationVector): SignedNotification => ({
  keyId: v.received?.keyId ?? v.signingKey.keyId,
  timestamp: v.received?.timestamp ?? v.timestamp,
  signature: v.received?.signature ?? v.expectedSignature,
  body: v.received?.body ?? v.body,
});

export function runNotificationConformance(subjectName: string, subject: NotificationConformanceSubject): void {
  describe(`notification conformance: ${subjectName}`, () => {
    if (subject.sign) {
      const sign = subject.sign;
      it.each(NOTIFICATION_VECTORS.map((v) => [v.name, v] as const))('signs: %s', async (_name, v) => {
        const signed = await sign(vectorSigningKey(v), v.timestamp, v.body);
        expect(signed.signature).toBe(v.expectedSignature);
      });
    }
    if (subject.verify) {
      const verify = subject.verify;
      it.each(NOTIFICATION_VECTORS.map((v) => [v.name, v] as const))('verifies: %s', async (_name, v) => {
        expect(await verify(vectorKeyring(v), receivedNotification(v), v.nowSeconds, v.mode)).toEqual(v.expectedVerify);
      });
    }
    if (subject.parse) {
      const parse = subject.parse;
      it.each(NOTIFICATION_VECTORS.map((v) => [v.name, v] as const))('parses: %s', async (_name, v) => {
        const body = receivedNotification(v).body;
        if (v.expectedParse === 'ok') {
          await expect(Promise.resolve().then(() => parse(body))).resolves.toBeDefined();
        } else {
          const error: unknown = await Promise.resolve().then(() => parse(body)).then(() => undefined, (e: unknown) => e);
          expect(error).toMatchObject({ code: v.expectedParse });
          expect(String((error as Error).message)).not.toContain(body.slice(1, 40));
          expect(String((error as Error).message)).not.toContain('hunter2');
        }
      });
    }
  });
}
