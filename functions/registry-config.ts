/**
 * AKVSYNC_REGISTRY_KEYS: the clusters that may register themselves (POST /api/clusters/{cluster}/registration) and
 * the key each signs with — the same key the Function signs that cluster's notifications with. Setting it turns the
 * Table-backed cluster registry on (it needs AKVSYNC_STORAGE); AKVSYNC_CLUSTERS then becomes optional, and both
 * may be used at once (a cluster in only one of them).
 *
 *   [{"name": "prod-a", "keyId": "prod-a-2026-12", "signingKeySetting": "PROD_A_KEY"}, …]   (or "signingKey": "<base64>")
 *
 * AKVSYNC_REGISTRY_STALE_MINUTES (default 10): a registered cluster without a heartbeat for that long is stale.
 */
import { KEY_ID_PATTERN, type SigningKey } from '../core/notification/signature.js';
import { CLUSTER_NAME } from '../core/registry/registration.js';
import type { AppSettings } from './app-settings.js';
import { hiddenKey, parseSigningKey } from './cluster-config.js';

export interface RegistryConfig {
  /** cluster name → its key (bytes not enumerable). */
  readonly keys: ReadonlyMap<string, SigningKey>;
  readonly staleAfterMs: number;
}

export const REGISTRY_KEYS_SETTING = 'AKVSYNC_REGISTRY_KEYS';
const FIELDS = new Set(['name', 'keyId', 'signingKey', 'signingKeySetting']);

export function parseRegistryConfig(settings: AppSettings, problems: string[]): RegistryConfig | undefined {
  const raw = settings[REGISTRY_KEYS_SETTING]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${REGISTRY_KEYS_SETTING}: not valid JSON`); // the parser's message would quote keys
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push(`${REGISTRY_KEYS_SETTING}: must be a non-empty JSON array of {name, keyId, signingKey | signingKeySetting}`);
    return undefined;
  }
  const keys = new Map<string, SigningKey>();
  parsed.forEach((entry: unknown, i) => {
    const at = `${REGISTRY_KEYS_SETTING}[${i}]`;
    const e = (typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? entry : {}) as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!FIELDS.has(key)) problems.push(`${at}: unknown field "${key.slice(0, 40)}"`);
    const name = typeof e.name === 'string' && CLUSTER_NAME.test(e.name) ? e.name : undefined;
    if (!name) problems.push(`${at}.name: must match ${CLUSTER_NAME}`);
    const keyId = typeof e.keyId === 'string' && KEY_ID_PATTERN.test(e.keyId) ? e.keyId : undefined;
    if (!keyId) problems.push(`${at}.keyId: must match ${KEY_ID_PATTERN}`);
    const key = parseSigningKey(e, at, settings, problems);
    if (name && keys.has(name)) problems.push(`${REGISTRY_KEYS_SETTING}: cluster name "${name}" appears more than once`);
    if (name && keyId && key) keys.set(name, hiddenKey(keyId, key));
  });
  const minutes = settings.AKVSYNC_REGISTRY_STALE_MINUTES?.trim() || '10';
  const staleMinutes = /^\d{1,5}$/.test(minutes) ? Number(minutes) : NaN;
  if (!(staleMinutes >= 1 && staleMinutes <= 10_080)) problems.push('AKVSYNC_REGISTRY_STALE_MINUTES: must be a whole number of minutes between 1 and 10080');
  return Object.freeze({ keys, staleAfterMs: staleMinutes * 60_000 });
}
