import { inspect } from 'node:util';
import { ConfigurationError, DEFAULT_PUSH_TIMEOUT_MS, parseFunctionsConfig } from '../../../functions/config.js';
import { createTestCa } from '../../../scripts/local-stack/tls.js';
import { SIGNING_KEY_BASE64, SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS, appSettings, clusterEntry } from './support/cluster-settings.js';

function problemsOf(settings: Record<string, string | undefined>): readonly string[] {
  try {
    parseFunctionsConfig(settings);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const leak of SIGNING_KEY_RENDERINGS) expect(message).not.toContain(leak);
    return (error as ConfigurationError).problems;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseFunctionsConfig', () => {
  it('parses a valid configuration into a frozen object with defaults', () => {
    const config = parseFunctionsConfig(appSettings([clusterEntry({ vaults: ['KV-Akvsync-Prod'], objects: ['db-*'] })]));
    expect(config.pushTimeoutMs).toBe(DEFAULT_PUSH_TIMEOUT_MS);
    expect(config.applicationInsightsConnectionString).toBeUndefined();
    expect(config.clusters).toHaveLength(1);
    const [cluster] = config.clusters;
    expect(cluster).toMatchObject({ name: 'prod-weu', pushUrl: 'https://agent.prod-weu.example.com/v1/notifications', vaults: ['kv-akvsync-prod'], objects: ['db-*'], caPem: undefined });
    expect(cluster?.signingKey.keyId).toBe('prod-weu-2025-03');
    expect(Buffer.from(cluster?.signingKey.key ?? []).equals(SIGNING_KEY_BYTES)).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.clusters)).toBe(true);
    expect(Object.isFrozen(cluster)).toBe(true);
    expect(Object.isFrozen(cluster?.vaults)).toBe(true);
  });

  it('reads ["*"] as every vault, and the optional settings', () => {
    const config = parseFunctionsConfig(
      appSettings([clusterEntry({ vaults: ['*'] })], {
        AKVSYNC_PUSH_TIMEOUT_MS: '1500',
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:1/',
      }),
    );
    expect(config.clusters[0]?.vaults).toBe('*');
    expect(config.pushTimeoutMs).toBe(1500);
    expect(config.applicationInsightsConnectionString).toMatch(/^InstrumentationKey=/);
  });

  it('takes the key from another app setting named by signingKeySetting (a Key Vault reference in Azure)', () => {
    const config = parseFunctionsConfig(
      appSettings([clusterEntry({ signingKey: undefined, signingKeySetting: 'AKVSYNC_KEY_PROD_WEU' })], { AKVSYNC_KEY_PROD_WEU: SIGNING_KEY_BASE64 }),
    );
    expect(Buffer.from(config.clusters[0]?.signingKey.key ?? []).equals(SIGNING_KEY_BYTES)).toBe(true);
  });

  it('accepts base64url keys and a PEM CA', () => {
    const ca = createTestCa();
    const config = parseFunctionsConfig(appSettings([clusterEntry({ signingKey: SIGNING_KEY_BYTES.toString('base64url'), caPem: ca.certPem })]));
    expect(config.clusters[0]?.caPem).toBe(ca.certPem);
    expect(Buffer.from(config.clusters[0]?.signingKey.key ?? []).equals(SIGNING_KEY_BYTES)).toBe(true);
  });

  it('never prints key material when the config object is serialised or inspected', () => {
    const config = parseFunctionsConfig(appSettings());
    const renderings = [JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify(config.clusters[0]?.signingKey)];
    for (const text of renderings) {
      expect(text).toContain('prod-weu-2025-03');
      for (const leak of SIGNING_KEY_RENDERINGS) expect(text).not.toContain(leak);
    }
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['missing AKVSYNC_CLUSTERS', {}, /^AKVSYNC_CLUSTERS: required/],
    ['AKVSYNC_CLUSTERS not JSON (the parser would quote the key)', { AKVSYNC_CLUSTERS: `[{"signingKey": "${SIGNING_KEY_BASE64}"` }, /^AKVSYNC_CLUSTERS: not valid JSON$/],
    ['an empty cluster list', { AKVSYNC_CLUSTERS: '[]' }, /^AKVSYNC_CLUSTERS: must be a non-empty JSON array/],
    ['an unresolved Key Vault reference', { AKVSYNC_CLUSTERS: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/clusters/)' }, /^AKVSYNC_CLUSTERS: is an unresolved Key Vault reference/],
    ['a push URL over http', appSettings([clusterEntry({ pushUrl: 'http://agent.example.com/v1/notifications' })]), /^AKVSYNC_CLUSTERS\[0\] \("prod-weu"\)\.pushUrl: must be an https:\/\//],
    ['a push URL with another path', appSettings([clusterEntry({ pushUrl: 'https://agent.example.com/notify' })]), /\.pushUrl: must be an https:\/\/ URL ending in \/v1\/notifications/],
    ['a push URL with credentials', appSettings([clusterEntry({ pushUrl: 'https://user:pw@agent.example.com/v1/notifications' })]), /\.pushUrl: .*without credentials/],
    ['a short signing key', appSettings([clusterEntry({ signingKey: Buffer.alloc(16, 7).toString('base64') })]), /\.signingKey: must be base64 of at least 32 random bytes \(value not shown\)$/],
    ['a signing key that is not base64', appSettings([clusterEntry({ signingKey: `${SIGNING_KEY_BASE64}!` })]), /\.signingKey: must be base64/],
    ['both signingKey and signingKeySetting', appSettings([clusterEntry({ signingKeySetting: 'X' })]), /set exactly one of signingKey .* and signingKeySetting/],
    ['a signingKeySetting that is not set', appSettings([clusterEntry({ signingKey: undefined, signingKeySetting: 'AKVSYNC_KEY_X' })]), /^AKVSYNC_KEY_X \(signingKeySetting of AKVSYNC_CLUSTERS\[0\] \("prod-weu"\)\): app setting is missing or empty$/],
    [
      'a signing key setting that is an unresolved Key Vault reference',
      appSettings([clusterEntry({ signingKey: undefined, signingKeySetting: 'AKVSYNC_KEY_X' })], { AKVSYNC_KEY_X: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/k/)' }),
      /^AKVSYNC_KEY_X .*: is an unresolved Key Vault reference/,
    ],
    ['a bad key id', appSettings([clusterEntry({ keyId: 'has space' })]), /\.keyId: must match/],
    ['a bad cluster name', appSettings([clusterEntry({ name: '-bad name' })]), /^AKVSYNC_CLUSTERS\[0\]\.name: must match/],
    ['an unknown field (a typo)', appSettings([clusterEntry({ signingkey: 'x' })]), /: unknown field "signingkey"/],
    ['a caPem that is not a certificate', appSettings([clusterEntry({ caPem: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' })]), /\.caPem: must be one or more PEM certificates/],
    ['no vaults', appSettings([clusterEntry({ vaults: [] })]), /\.vaults: must be \["\*"\] or a non-empty list of vault names/],
    ['"*" mixed with names', appSettings([clusterEntry({ vaults: ['*', 'kv-a'] })]), /\.vaults: must be/],
    ['an empty objects list', appSettings([clusterEntry({ objects: [] })]), /\.objects: when set, a non-empty list/],
    ['the same cluster twice', appSettings([clusterEntry(), clusterEntry()]), /cluster name "prod-weu" appears more than once/],
    ['a push timeout that is not a number', appSettings(undefined, { AKVSYNC_PUSH_TIMEOUT_MS: '5s' }), /^AKVSYNC_PUSH_TIMEOUT_MS: must be whole milliseconds between 100 and 25000$/],
    ['a push timeout longer than Event Grid waits', appSettings(undefined, { AKVSYNC_PUSH_TIMEOUT_MS: '60000' }), /^AKVSYNC_PUSH_TIMEOUT_MS: /],
    ['a malformed Application Insights connection string', appSettings(undefined, { APPLICATIONINSIGHTS_CONNECTION_STRING: 'not-a-connection-string' }), /^APPLICATIONINSIGHTS_CONNECTION_STRING: not a connection string/],
  ])('refuses %s, naming the setting', (_name, settings, expected) => {
    const problems = problemsOf(settings);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      appSettings([clusterEntry({ pushUrl: 'http://x/v1/notifications' }), clusterEntry({ name: 'other', signingKey: 'c2hvcnQ=' })], { AKVSYNC_PUSH_TIMEOUT_MS: '0' }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/AKVSYNC_CLUSTERS\[0\].*pushUrl[\s\S]*AKVSYNC_CLUSTERS\[1\] \("other"\)\.signingKey[\s\S]*AKVSYNC_PUSH_TIMEOUT_MS/);
  });

  it('accepts a queue-mode cluster without pushUrl when AKVSYNC_STORAGE is set, deriving its queue name', () => {
    const config = parseFunctionsConfig(appSettings([clusterEntry({ name: 'Private.A', delivery: 'queue', pushUrl: undefined })], { AKVSYNC_STORAGE: 'UseDevelopmentStorage=false;AccountName=dev;AccountKey=a2V5' }));
    const [cluster] = config.clusters;
    expect(cluster).toMatchObject({ delivery: 'queue', pushUrl: undefined, queueName: expect.stringMatching(/^akvsync-q-private-a-[0-9a-f]{8}$/) });
    expect(config).toMatchObject({ storageSetting: 'AKVSYNC_STORAGE', retry: { maxAttempts: 8, baseSeconds: 30, maxSeconds: 3600 } });
    expect(config.storageConnectionString).toContain('AccountKey=a2V5');
    expect(JSON.stringify(config) + inspect(config, { depth: 5 })).not.toContain('a2V5');
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['queue mode without storage', appSettings([clusterEntry({ delivery: 'queue', pushUrl: undefined })]), /"delivery": "queue" needs AKVSYNC_STORAGE/],
    ['queue mode with a pushUrl', appSettings([clusterEntry({ delivery: 'queue' })], { AKVSYNC_STORAGE: 'AccountName=dev' }), /pushUrl: not used with "delivery": "queue"/],
    ['an unknown delivery mode', appSettings([clusterEntry({ delivery: 'carrier-pigeon' })]), /delivery: must be "push" or "queue"/],
    ['a push URL aimed at the metadata service', appSettings([clusterEntry({ pushUrl: 'https://169.254.169.254/v1/notifications' })]), /pushUrl: 169\.254\.169\.254 is a link-local, unspecified or metadata address/],
    ['a bad queue name', appSettings([clusterEntry({ queueName: 'Bad--Name' })]), /queueName: must be a Storage Queue name/],
    ['storage that is not a connection string', appSettings(undefined, { AKVSYNC_STORAGE: 'https://x' }), /AKVSYNC_STORAGE: not a Storage connection string/],
    ['a retry budget of zero', appSettings(undefined, { AKVSYNC_RETRY_MAX_ATTEMPTS: '0' }), /AKVSYNC_RETRY_MAX_ATTEMPTS: must be a whole number between 1 and 50/],
  ])('refuses %s', (_name, settings, pattern) => {
    expect(problemsOf(settings).join('\n')).toMatch(pattern);
  });
});
