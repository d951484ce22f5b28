import type { SignatureCheck } from './signature.js';

/**
 * Conformance vectors for the notification protocol (docs/adr/0001-notification-protocol.md), as pure data.
 * Every signer and verifier (core, the Function, the agent) must agree with them; test/support/notification-conformance.ts
 * runs them. The expected signatures were computed independently with
 * `openssl dgst -sha256 -mac HMAC -macopt hexkey:<key> -binary | base64url` over the string to sign.
 * The keys here are public test keys: never use them anywhere else.
 */
export interface NotificationVector {
  readonly name: string;
  /** What the sender signs with. */
  readonly signingKey: { readonly keyId: string; readonly keyBase64: string };
  readonly timestamp: number;
  /** The exact body that was signed. */
  readonly body: string;
  /** `v1=<base64url HMAC-SHA256>` of `akvsync-v1\n<keyId>\n<timestamp>\n<body>` under the signing key. */
  readonly expectedSignature: string;
  /** What reaches the receiver where it differs from what was signed (tampering, forged or garbled headers). */
  readonly received?: { readonly keyId?: string; readonly timestamp?: number; readonly signature?: string; readonly body?: string };
  /** The receiver's keyring: key id → base64 key. */
  readonly keyring: Readonly<Record<string, string>>;
  readonly nowSeconds: number;
  /** `push` checks the timestamp window; `queue` does not. */
  readonly mode: 'push' | 'queue';
  readonly expectedVerify: SignatureCheck;
  /** Whether the received body parses as a notification (parseNotificationBody). */
  readonly expectedParse: 'ok' | 'InvalidNotification';
}

/** Public test keys: bytes 0x00..0x1f and 0xa0..0xbf. */
const K1 = { keyId: 'cluster-a-2025-03', keyBase64: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' } as const;
const K2 = { keyId: 'cluster-a-2025-06', keyBase64: 'oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8=' } as const;
const ONE_KEY = { [K1.keyId]: K1.keyBase64 };
const ROTATING = { [K1.keyId]: K1.keyBase64, [K2.keyId]: K2.keyBase64 };

const TS = 1741684600;
const BODY =
  '{"vault":"kv-akvsync-prod","objectType":"Secret","objectName":"db-password","version":"ee059b2bb5bc48398a53b168c6cdcb10",' +
  '"eventType":"Microsoft.KeyVault.SecretNewVersionCreated","eventId":"00eccf70-95a7-4e7c-8299-2eb17ee9ad64","eventTime":"2025-03-11T09:15:42.1036736Z"}';
const SIG_K1 = 'v1=vrVNko57WirmfpoLh---9puMMlKjXi4IFHg9kXlvJVs';
const SIG_K2 = 'v1=OpfI5hRQ74Hf_vB2jHZ011CsNLwyAG7hf9kURZp7Lq0';
const BODY_UNICODE =
  '{"vault":"kv-akvsync-prod","objectType":"Secret","objectName":"pässwörd-🔑","version":"ee059b2bb5bc48398a53b168c6cdcb10",' +
  '"eventType":"Microsoft.KeyVault.SecretNewVersionCreated","eventId":"7b0e2c4a-1d3f-4b5e-8c6a-9f0e1d2c3b4a","eventTime":"2025-03-11T09:15:42.1036736Z"}';
const BODY_EXTRA = `${BODY.slice(0, -1)},"value":"hunter2"}`;

const base = {
  signingKey: K1,
  timestamp: TS,
  body: BODY,
  expectedSignature: SIG_K1,
  keyring: ONE_KEY,
  nowSeconds: TS + 10,
  mode: 'push',
  expectedVerify: { ok: true, keyId: K1.keyId },
  expectedParse: 'ok',
} as const satisfies Omit<NotificationVector, 'name'>;

export const NOTIFICATION_VECTORS: readonly NotificationVector[] = [
  { ...base, name: 'valid push, 10 s after signing' },
  { ...base, name: 'valid push at the edge of the window (+300 s)', nowSeconds: TS + 300 },
  { ...base, name: 'tampered body (version changed)', received: { body: BODY.replace('ee059b2b', 'ff059b2b') }, expectedVerify: { ok: false, reason: 'bad-signature' } },
  { ...base, name: 'tampered timestamp', received: { timestamp: TS + 60 }, expectedVerify: { ok: false, reason: 'bad-signature' } },
  { ...base, name: 'unknown key id', received: { keyId: 'cluster-a-2024-12' }, expectedVerify: { ok: false, reason: 'unknown-key' } },
  {
    ...base,
    name: 'key id of another key in the keyring',
    signingKey: { keyId: K1.keyId, keyBase64: K2.keyBase64 },
    expectedSignature: 'v1=K5RjUR11UC0d-2B9gQ99jR0-Hm85nKo2ScAqqmEG5ec',
    keyring: ROTATING,
    expectedVerify: { ok: false, reason: 'bad-signature' },
  },
  { ...base, name: 'stale in push mode (+301 s)', nowSeconds: TS + 301, expectedVerify: { ok: false, reason: 'stale-timestamp' } },
  { ...base, name: 'from the future in push mode (-301 s)', nowSeconds: TS - 301, expectedVerify: { ok: false, reason: 'stale-timestamp' } },
  { ...base, name: 'a day old but valid in queue mode', nowSeconds: TS + 86_400, mode: 'queue' },
  { ...base, name: 'malformed signature (truncated)', received: { signature: 'v1=vrVNko57Wirm' }, expectedVerify: { ok: false, reason: 'malformed-signature' } },
  { ...base, name: 'malformed signature (unknown scheme)', received: { signature: SIG_K1.replace('v1=', 'v2=') }, expectedVerify: { ok: false, reason: 'malformed-signature' } },
  { ...base, name: 'malformed signature (no scheme)', received: { signature: SIG_K1.slice(3) }, expectedVerify: { ok: false, reason: 'malformed-signature' } },
  { ...base, name: 'rotation: keyring with two keys accepts the new key', signingKey: K2, expectedSignature: SIG_K2, keyring: ROTATING, expectedVerify: { ok: true, keyId: K2.keyId } },
  { ...base, name: 'rotation: keyring with two keys still accepts the old key', keyring: ROTATING },
  { ...base, name: 'rotation finished: the removed key is unknown', keyring: { [K2.keyId]: K2.keyBase64 }, expectedVerify: { ok: false, reason: 'unknown-key' } },
  { ...base, name: 'unicode object name (signed as UTF-8)', body: BODY_UNICODE, expectedSignature: 'v1=TW41q9jhCq3ldjw1TvYpsff_cugyKZGleBWhp3yprXg' },
  { ...base, name: 'body with an extra field: signature valid, body refused', body: BODY_EXTRA, expectedSignature: 'v1=S33fuyobcntJQ24MKAN3Pm2tllw3KMytD8u2r99qZPU', expectedParse: 'InvalidNotification' },
];
