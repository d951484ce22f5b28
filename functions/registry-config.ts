/**
 * AKVSYNC_REGISTRY_KEYS: the clusters that may register themselves (POST /api/clusters/{cluster}/registration) and
 * the key each signs with — the same key the Function signs that cluster's notifications with. Setting it turns the
 * Table-backed cluster registry on (it needs AKVSYNC_STORAGE); AKVSYNC_CLUSTERS then becomes optional, and both
 * may be used at once (a cluster in only one of them).
 *
 *   [{"name": "prod-a", "keyId": "prod-a-2026-12", "signingKeySetting": "PROD_A_KEY"}, …]   (or "signingKey": "<base64>")
 *
 * AKVSYNC_SIGNING_KEYS_VAULT_URL: instead of (or beside) listing keys, read each registering cluster's key from this
 * Key Vault with the Function's identity (secret `akvsync-signing-<cluster>`, written by `npm run onboard`), cached
 * for AKVSYNC_SIGNING_KEY_CACHE_SECONDS (default 300): a cluster onboarded there may register without a settings
 * change, and a rotation is picked up within the cache time. Also turns the registry on. A cluster listed in
 * AKVSYNC_REGISTRY_KEYS uses that key, not Key Vault. For the local emulator:
 * AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION and AKVSYNC_DISABLE_INSTANCE_DISCOVERY (as the agent's).
 *
 * AKVSYNC_REGISTRY_STALE_MINUTES (default 10): a registered cluster without a heartbeat for that long is stale.
 */
import { KEY_ID_PATTERN, type SigningKey } from '../core/notification/signature.js';
import { CLUSTER_NAME } from '../core/registry/registration.js';
import type { AppSettings } from './app-settings.js';
import { hiddenKey, parseSigningKey } from './cluster-config.js';

export interface SigningKeyVaultConfig {
  readonly url: string;
  readonly cacheTtlMs: number;
  readonly disableChallengeResourceVerification: boolean;
  readonly disableInstanceDiscovery: boolean;
}

export interface RegistryConfig {
  /** cluster name → its key from AKVSYNC_REGISTRY_KEYS (bytes not enumerable). */
  readonly keys: ReadonlyMap<string, SigningKey>;
  /** Where the other registering clusters' keys are read (AKVSYNC_SIGNING_KEYS_VAULT_URL), when set. */
  readonly keyVault: SigningKeyVaultConfig | undefined;
  readonly staleAfterMs: number;
}

export const REGISTRY_KEYS_SETTING = 'AKVSYNC_REGISTRY_KEYS';
export const SIGNING_KEYS_VAULT_SETTING = 'AKVSYNC_SIGNING_KEYS_VAULT_URL';

/** Whether the settings ask for the registry (AKVSYNC_REGISTRY_KEYS or AKVSYNC_SIGNING_KEYS_VAULT_URL). */
export const registryRequested = (settings: AppSettings): boolean => Boolean(settings[REGISTRY_KEYS_SETTING]?.trim() || settings[SIGNING_KEYS_VAULT_SETTING]?.trim());
const FIELDS = new Set(['name', 'keyId', 'signingKey', 'signingKeySetting']);

export function parseRegistryConfig(settings: AppSettings, problems: string[]): RegistryConfig | undefined {
  if (!registryRequested(settings)) return undefined;
  const keys = parseRegistryKeys(settings, problems);
  const minutes = settings.AKVSYNC_REGISTRY_STALE_MINUTES?.trim() || '10';
  const staleMinutes = /^\d{1,5}(\.\d{1,3})?$/.test(minutes) ? Number(minutes) : NaN;
  if (!(staleMinutes >= 0.05 && staleMinutes <= 10_080)) problems.push('AKVSYNC_REGISTRY_STALE_MINUTES: must be minutes between 0.05 (3 s, for tests) and 10080');
  if (keys === undefined) return undefined;
  return Object.freeze({ keys, keyVault: parseSigningKeyVault(settings, problems), staleAfterMs: Math.round(staleMinutes * 60_000) });
}

function parseSigningKeyVault(settings: AppSettings, problems: string[]): SigningKeyVaultConfig | undefined {
  const url = settings[SIGNING_KEYS_VAULT_SETTING]?.trim();
  if (!url) return undefined;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'https:' || parsed.username || parsed.password || parsed.search || parsed.hash || parsed.pathname !== '/') {
    problems.push(`${SIGNING_KEYS_VAULT_SETTING}: must be a Key Vault URL, https://<name>.vault.azure.net`);
  }
  const raw = settings.AKVSYNC_SIGNING_KEY_CACHE_SECONDS?.trim() || '300';
  const seconds = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds >= 1 && seconds <= 86_400)) problems.push('AKVSYNC_SIGNING_KEY_CACHE_SECONDS: must be a whole number of seconds between 1 and 86400');
  const flag = (name: string): boolean => {
    const value = settings[name]?.trim().toLowerCase() || 'false';
    if (value !== 'true' && value !== 'false') problems.push(`${name}: must be true or false`);
    return value === 'true';
  };
  return Object.freeze({
    url: url.replace(/\/+$/, ''),
    cacheTtlMs: seconds * 1000,
    disableChallengeResourceVerification: flag('AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION'),
    disableInstanceDiscovery: flag('AKVSYNC_DISABLE_INSTANCE_DISCOVERY'),
  });
}

function parseRegistryKeys(settings: AppSettings, problems: string[]): Map<string, SigningKey> | undefined {
  const keys = new Map<string, SigningKey>();
  const raw = settings[REGISTRY_KEYS_SETTING]?.trim();
  if (raw === undefined || raw === '') return keys;
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
  return keys;
}
