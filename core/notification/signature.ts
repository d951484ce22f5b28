import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { TerminalError } from '../errors.js';
import type { SignedNotification } from './notification.js';

/** A signing key: at least 32 random bytes, identified by `keyId` so keys can rotate with overlap. */
export interface SigningKey {
  readonly keyId: string;
  readonly key: Uint8Array;
}

export const SIGNATURE_SCHEME = 'v1';
export const MIN_KEY_BYTES = 32;
/** Key ids: safe in a header, a file name and a log line. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The exact string covered by the HMAC: scheme, key id, timestamp and raw body, newline-separated. */
export function stringToSign(keyId: string, timestamp: number, body: string): string {
  return `akvsync-${SIGNATURE_SCHEME}\n${keyId}\n${timestamp}\n${body}`;
}

/**
 * Each key's bytes imported once as a KeyObject: createHmac with raw bytes imports them again on every call, which
 * costs several times the HMAC of a notification. Keyed by the key's buffer (config and keyring hold theirs for the
 * process's life); a buffer changed in place is noticed and imported again.
 */
const importedKeys = new WeakMap<Uint8Array, { readonly bytes: Buffer; readonly key: KeyObject }>();

function hmacKey(key: Uint8Array): KeyObject {
  const cached = importedKeys.get(key);
  if (cached?.bytes.equals(key)) return cached.key;
  const entry = { bytes: Buffer.from(key), key: createSecretKey(key) };
  importedKeys.set(key, entry);
  return entry.key;
}

export function computeSignature(key: Uint8Array, keyId: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', hmacKey(key)).update(stringToSign(keyId, timestamp, body), 'utf8').digest('base64url');
  return `${SIGNATURE_SCHEME}=${mac}`;
}

export function assertValidSigningKey(k: SigningKey): void {
  if (!KEY_ID_PATTERN.test(k.keyId)) {
    throw new TerminalError('InvalidSigningKey', `signing key id ${JSON.stringify(k.keyId.slice(0, 64))} must match ${KEY_ID_PATTERN}`);
  }
  if (k.key.byteLength < MIN_KEY_BYTES) {
    throw new TerminalError('InvalidSigningKey', `signing key "${k.keyId}" must be at least ${MIN_KEY_BYTES} bytes`);
  }
}

export function signNotification(key: SigningKey, timestamp: number, body: string): SignedNotification {
  assertValidSigningKey(key);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TerminalError('InvalidTimestamp', 'timestamp must be whole unix seconds');
  }
  return { keyId: key.keyId, timestamp, signature: computeSignature(key.key, key.keyId, timestamp, body), body };
}

export type SignatureCheck =
  | { readonly ok: true; readonly keyId: string }
  | { readonly ok: false; readonly reason: 'unknown-key' | 'bad-signature' | 'malformed-signature' | 'stale-timestamp' };

/**
 * Verifies a signature against a keyring (several keys during rotation). `nowSeconds` comes from the caller's
 * clock; `windowSeconds` is undefined for queue delivery, where the queue's own authentication stands in for freshness.
 */
export function verifySignature(
  keyring: ReadonlyMap<string, Uint8Array>,
  signed: SignedNotification,
  nowSeconds: number,
  windowSeconds: number | undefined,
): SignatureCheck {
  const key = keyring.get(signed.keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const match = /^v1=([A-Za-z0-9_-]{43})$/.exec(signed.signature);
  if (!match?.[1] || !Number.isSafeInteger(signed.timestamp)) return { ok: false, reason: 'malformed-signature' };
  const expected = Buffer.from(computeSignature(key, signed.keyId, signed.timestamp, signed.body).slice(3), 'base64url');
  const given = Buffer.from(match[1], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  if (windowSeconds !== undefined && Math.abs(nowSeconds - signed.timestamp) > windowSeconds) {
    return { ok: false, reason: 'stale-timestamp' };
  }
  return { ok: true, keyId: signed.keyId };
}
