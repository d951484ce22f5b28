/**
 * Signing of a cluster's registration (and heartbeat) request to the Function — the reverse direction of a
 * notification, with the cluster's own key. Its string-to-sign has its own prefix and a nonce, so a notification's
 * signature (`akvsync-v1\n…`) can never verify as a registration, and a captured registration cannot be sent again
 * (the Function remembers each nonce for longer than the timestamp window).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TerminalError } from '../errors.js';
import { assertValidSigningKey, SIGNATURE_SCHEME, type SigningKey } from '../notification/signature.js';

export const REGISTRATION_HEADERS = {
  keyId: 'akvsync-key-id',
  timestamp: 'akvsync-timestamp',
  nonce: 'akvsync-nonce',
  signature: 'akvsync-signature',
} as const;

/** Registrations whose timestamp is further than this from the Function's clock are refused. */
export const REGISTRATION_WINDOW_SECONDS = 300;
/** 16–64 characters of base64url: 128 random bits or more. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export interface SignedRegistration {
  readonly keyId: string;
  /** Unix seconds at signing. */
  readonly timestamp: number;
  readonly nonce: string;
  /** `v1=<base64url HMAC-SHA256>` */
  readonly signature: string;
  /** The exact JSON body that was signed (UTF-8). */
  readonly body: string;
}

export function registrationStringToSign(keyId: string, timestamp: number, nonce: string, body: string): string {
  return `akvsync-register-${SIGNATURE_SCHEME}\n${keyId}\n${timestamp}\n${nonce}\n${body}`;
}

function mac(key: Uint8Array, keyId: string, timestamp: number, nonce: string, body: string): Buffer {
  return createHmac('sha256', key).update(registrationStringToSign(keyId, timestamp, nonce, body), 'utf8').digest();
}

/** `nonce` comes from the caller (core takes randomness as an argument): 16+ base64url characters of random bytes. */
export function signRegistration(key: SigningKey, timestamp: number, nonce: string, body: string): SignedRegistration {
  assertValidSigningKey(key);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TerminalError('InvalidTimestamp', 'timestamp must be whole unix seconds');
  if (!NONCE_PATTERN.test(nonce)) throw new TerminalError('InvalidNonce', `nonce must match ${NONCE_PATTERN}`);
  return { keyId: key.keyId, timestamp, nonce, signature: `${SIGNATURE_SCHEME}=${mac(key.key, key.keyId, timestamp, nonce, body).toString('base64url')}`, body };
}

/** The request headers that carry a signed registration (its body goes as the request body, byte for byte). */
export function registrationHeaders(signed: SignedRegistration): Record<string, string> {
  return {
    'content-type': 'application/json',
    [REGISTRATION_HEADERS.keyId]: signed.keyId,
    [REGISTRATION_HEADERS.timestamp]: String(signed.timestamp),
    [REGISTRATION_HEADERS.nonce]: signed.nonce,
    [REGISTRATION_HEADERS.signature]: signed.signature,
  };
}

export type RegistrationCheck =
  | { readonly ok: true; readonly keyId: string }
  | { readonly ok: false; readonly reason: 'unknown-key' | 'bad-signature' | 'malformed-signature' | 'stale-timestamp' };

/** Verifies against the cluster's keys (several during rotation); the nonce's freshness is the caller's store's question. */
export function verifyRegistration(keyring: ReadonlyMap<string, Uint8Array>, signed: SignedRegistration, nowSeconds: number): RegistrationCheck {
  const key = keyring.get(signed.keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const match = /^v1=([A-Za-z0-9_-]{43})$/.exec(signed.signature);
  if (!match?.[1] || !Number.isSafeInteger(signed.timestamp) || !NONCE_PATTERN.test(signed.nonce)) return { ok: false, reason: 'malformed-signature' };
  const given = Buffer.from(match[1], 'base64url');
  const expected = mac(key, signed.keyId, signed.timestamp, signed.nonce, signed.body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  if (Math.abs(nowSeconds - signed.timestamp) > REGISTRATION_WINDOW_SECONDS) return { ok: false, reason: 'stale-timestamp' };
  return { ok: true, keyId: signed.keyId };
}
