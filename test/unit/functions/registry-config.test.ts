import { inspect } from 'node:util';
import { ConfigurationError, parseFunctionsConfig } from '../../../functions/config.js';
import { SIGNING_KEY_BASE64, SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS, appSettings, clusterEntry } from './support/cluster-settings.js';

const STORAGE = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';
const keys = (entries: unknown[]): string => JSON.stringify(entries);
const entry = (o: Record<string, unknown> = {}) => ({ name: 'prod-a', keyId: 'prod-a-1', signingKey: SIGNING_KEY_BASE64, ...o });

function problemsOf(settings: Record<string, string | undefined>): readonly string[] {
  try {
    parseFunctionsConfig(settings);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    for (const leak of SIGNING_KEY_RENDERINGS) expect((error as Error).message).not.toContain(leak);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected a ConfigurationError');
}

describe('AKVSYNC_REGISTRY_KEYS', () => {
  it('turns the registry on without AKVSYNC_CLUSTERS; keys are not printed', () => {
    const config = parseFunctionsConfig({ AKVSYNC_STORAGE: STORAGE, AKVSYNC_REGISTRY_KEYS: keys([entry(), entry({ name: 'prod-b', signingKey: undefined, signingKeySetting: 'B_KEY' })]), B_KEY: SIGNING_KEY_BASE64 });
    expect(config.clusters).toEqual([]);
    expect(config.registry?.staleAfterMs).toBe(10 * 60_000);
    expect([...(config.registry?.keys.keys() ?? [])]).toEqual(['prod-a', 'prod-b']);
    expect(Buffer.from(config.registry?.keys.get('prod-b')?.key ?? []).equals(SIGNING_KEY_BYTES)).toBe(true);
    const printed = `${JSON.stringify([...(config.registry?.keys.values() ?? [])])} ${inspect(config, { depth: 5 })}`;
    for (const leak of SIGNING_KEY_RENDERINGS) expect(printed).not.toContain(leak);
  });

  it('is off when unset (AKVSYNC_CLUSTERS stays required)', () => {
    expect(parseFunctionsConfig(appSettings()).registry).toBeUndefined();
    expect(problemsOf({})).toEqual([expect.stringMatching(/^AKVSYNC_CLUSTERS: required/)]);
  });

  it('needs AKVSYNC_STORAGE, and a cluster is either configured or registered', () => {
    expect(problemsOf({ AKVSYNC_REGISTRY_KEYS: keys([entry()]) })).toEqual(['AKVSYNC_REGISTRY_KEYS: the cluster registry needs AKVSYNC_STORAGE']);
    expect(problemsOf({ ...appSettings([clusterEntry({ name: 'prod-a' })]), AKVSYNC_STORAGE: STORAGE, AKVSYNC_REGISTRY_KEYS: keys([entry()]) }))
      .toEqual(['AKVSYNC_REGISTRY_KEYS: cluster "prod-a" is also in AKVSYNC_CLUSTERS; a cluster is either configured or registered']);
  });

  it('names every bad entry and field, and a bad stale interval', () => {
    expect(problemsOf({
      AKVSYNC_STORAGE: STORAGE,
      AKVSYNC_REGISTRY_KEYS: keys([entry({ name: 'bad name', extra: 1 }), entry({ keyId: 'bad id', signingKey: 'c2hvcnQ=' }), entry({ name: 'prod-b' }), entry({ name: 'prod-b' })]),
      AKVSYNC_REGISTRY_STALE_MINUTES: '0',
    })).toEqual([
      'AKVSYNC_REGISTRY_KEYS[0]: unknown field "extra"',
      expect.stringMatching(/^AKVSYNC_REGISTRY_KEYS\[0\]\.name: must match/),
      expect.stringMatching(/^AKVSYNC_REGISTRY_KEYS\[1\]\.keyId: must match/),
      expect.stringMatching(/^AKVSYNC_REGISTRY_KEYS\[1\]\.signingKey: must be base64 of at least 32 random bytes/),
      'AKVSYNC_REGISTRY_KEYS: cluster name "prod-b" appears more than once',
      'AKVSYNC_REGISTRY_STALE_MINUTES: must be minutes between 0.05 (3 s, for tests) and 10080',
    ]);
    expect(problemsOf({ AKVSYNC_STORAGE: STORAGE, AKVSYNC_REGISTRY_KEYS: `[{"signingKey":"${SIGNING_KEY_BASE64}"` })).toEqual(['AKVSYNC_REGISTRY_KEYS: not valid JSON']);
  });
});

describe('AKVSYNC_SIGNING_KEYS_VAULT_URL', () => {
  it('turns the registry on with keys read from Key Vault (default cache 300 s), beside listed keys or alone', () => {
    const config = parseFunctionsConfig({ AKVSYNC_STORAGE: STORAGE, AKVSYNC_SIGNING_KEYS_VAULT_URL: 'https://kv-keys.vault.azure.net/' });
    expect(config.clusters).toEqual([]);
    expect(config.registry?.keys.size).toBe(0);
    expect(config.registry?.keyVault).toEqual({ url: 'https://kv-keys.vault.azure.net', cacheTtlMs: 300_000, disableChallengeResourceVerification: false, disableInstanceDiscovery: false });
    const both = parseFunctionsConfig({
      ...appSettings(), AKVSYNC_STORAGE: STORAGE, AKVSYNC_REGISTRY_KEYS: keys([entry()]), AKVSYNC_SIGNING_KEYS_VAULT_URL: 'https://127.0.0.1:8443',
      AKVSYNC_SIGNING_KEY_CACHE_SECONDS: '5', AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true', AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'true',
    });
    expect(both.clusters).toHaveLength(1);
    expect(parseFunctionsConfig({ AKVSYNC_STORAGE: STORAGE, AKVSYNC_SIGNING_KEYS_VAULT_URL: 'https://k.vault.azure.net', AKVSYNC_REGISTRY_STALE_MINUTES: '0.05' }).registry?.staleAfterMs).toBe(3000);
    expect(both.registry?.keyVault).toMatchObject({ cacheTtlMs: 5000, disableChallengeResourceVerification: true, disableInstanceDiscovery: true });
  });

  it('names a bad URL, cache time or flag, and the missing storage', () => {
    expect(problemsOf({
      AKVSYNC_STORAGE: STORAGE, AKVSYNC_SIGNING_KEYS_VAULT_URL: 'http://kv-keys.vault.azure.net/secrets', AKVSYNC_SIGNING_KEY_CACHE_SECONDS: '0', AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'yes',
    })).toEqual([
      'AKVSYNC_SIGNING_KEYS_VAULT_URL: must be a Key Vault URL, https://<name>.vault.azure.net',
      'AKVSYNC_SIGNING_KEY_CACHE_SECONDS: must be a whole number of seconds between 1 and 86400',
      'AKVSYNC_DISABLE_INSTANCE_DISCOVERY: must be true or false',
    ]);
    expect(problemsOf({ AKVSYNC_SIGNING_KEYS_VAULT_URL: 'https://kv-keys.vault.azure.net' })).toEqual(['AKVSYNC_SIGNING_KEYS_VAULT_URL: the cluster registry needs AKVSYNC_STORAGE']);
  });
});
