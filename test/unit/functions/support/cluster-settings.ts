/**
 * App settings for the Function, "valid default plus overrides". The signing keys are random per run, so a test
 * that searches logs, telemetry or errors for them cannot pass by accident.
 */
import { randomBytes } from 'node:crypto';

export const SIGNING_KEY_BYTES = randomBytes(32);
export const SIGNING_KEY_BASE64 = SIGNING_KEY_BYTES.toString('base64');

/** Every rendering of the key material a leak could take. */
export const SIGNING_KEY_RENDERINGS = [
  SIGNING_KEY_BASE64,
  SIGNING_KEY_BYTES.toString('base64url'),
  SIGNING_KEY_BYTES.toString('hex'),
  SIGNING_KEY_BASE64.slice(4, 24),
];

export function clusterEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: 'prod-weu',
    pushUrl: 'https://agent.prod-weu.example.com/v1/notifications',
    keyId: 'prod-weu-2025-03',
    signingKey: SIGNING_KEY_BASE64,
    vaults: ['kv-akvsync-prod'],
    ...overrides,
  };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete entry[k];
  return entry;
}

export function appSettings(
  clusters: readonly Record<string, unknown>[] = [clusterEntry()],
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return { AKVSYNC_CLUSTERS: JSON.stringify(clusters), ...overrides };
}
