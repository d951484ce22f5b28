import { loadAgentConfig, vaultUrlOf } from '../../../cluster-agent/config.js';

const KEYRING = JSON.stringify({ 'cluster-a-1': Buffer.alloc(32, 1).toString('base64') });
const FILES: Record<string, string> = {
  '/tls/tls.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '/tls/tls.key': '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
  '/keys/keyring.json': KEYRING,
  '/keys/data-hash.key': `${Buffer.alloc(32, 5).toString('base64')}\n`,
  '/keys/short.key': Buffer.alloc(31, 5).toString('base64'),
};
const readFile = (path: string): string => {
  const content = FILES[path];
  if (content === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return content;
};
const validEnv = (overrides: Record<string, string | undefined> = {}) => ({
  AKVSYNC_TLS_CERT_FILE: '/tls/tls.crt',
  AKVSYNC_TLS_KEY_FILE: '/tls/tls.key',
  AKVSYNC_SIGNING_KEYS_FILE: '/keys/keyring.json',
  ...overrides,
});
const load = (env: Record<string, string | undefined>, argv: string[] = []) => loadAgentConfig(env, argv, readFile);

describe('loadAgentConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = load(validEnv());
    expect(c.fallback).toEqual({ intervalMs: 30 * 60_000, jitter: 0.1 });
    expect(c.honourReloaderAnnotations).toBe(true);
    expect(c.notify).toMatchObject({ enabled: true, host: '0.0.0.0', port: 8443 });
    expect(c.metrics).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(c.watchNamespaces).toEqual([]);
    expect(c.keyring.get('cluster-a-1')?.byteLength).toBe(32);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.notify)).toBe(true);
    expect(c.warnings.join('\n')).toMatch(/akv2k8s/);
    expect(c.warnings.join('\n')).not.toMatch(/unkeyed|DATA_HASH/);
    expect(c.dataHashKey).toEqual({ source: 'secret', secretName: 'akvsync-data-hash-key' });
    expect(c.namespace).toBeUndefined();
    expect(vaultUrlOf(c, 'MyVault')).toBe('https://myvault.vault.azure.net');
  });

  it('reads per-vault URL overrides, durations, namespaces and flags', () => {
    const c = load(
      validEnv({ AKVSYNC_VAULT_URLS: '{"kv1":"https://127.0.0.1:4443/"}', AKVSYNC_FALLBACK_INTERVAL: '5s', AKVSYNC_WATCH_NAMESPACES: 'a, b', AKVSYNC_HONOUR_RELOADER: 'false' }),
      ['--notify-port', '0', '--metrics-port=9090'],
    );
    expect(vaultUrlOf(c, 'KV1')).toBe('https://127.0.0.1:4443');
    expect(c.fallback.intervalMs).toBe(5000);
    expect(c.watchNamespaces).toEqual(['a', 'b']);
    expect(c.honourReloaderAnnotations).toBe(false);
    expect(c.notify.port).toBe(0);
    expect(c.metrics.port).toBe(9090);
  });

  it.each([
    [{ AKVSYNC_TLS_CERT_FILE: undefined }, /^AKVSYNC_TLS_CERT_FILE /],
    [{ AKVSYNC_TLS_KEY_FILE: '/missing' }, /^AKVSYNC_TLS_KEY_FILE cannot read file/],
    [{ AKVSYNC_SIGNING_KEYS_FILE: undefined }, /^AKVSYNC_SIGNING_KEYS_FILE is required/],
    [{ AKVSYNC_SIGNING_KEYS: '{"k1":"c2hvcnQ="}' }, /^AKVSYNC_SIGNING_KEYS keyring key "k1" is 5 bytes/],
    [{ AKVSYNC_NOTIFY_PORT: '70000' }, /^AKVSYNC_NOTIFY_PORT must be a whole number/],
    [{ AKVSYNC_FALLBACK_INTERVAL: 'soon' }, /^AKVSYNC_FALLBACK_INTERVAL must be a duration/],
    [{ AKVSYNC_VAULT_URLS: '{"kv1":"http://x"}' }, /^AKVSYNC_VAULT_URLS\.kv1 must use https:/],
    [{ AKVSYNC_VAULT_URL_TEMPLATE: 'https://vault.example' }, /^AKVSYNC_VAULT_URL_TEMPLATE must contain \{vault\}/],
    [{ AKVSYNC_LOG_LEVEL: 'loud' }, /^AKVSYNC_LOG_LEVEL must be one of/],
    [{ AKVSYNC_HONOUR_RELOADER: 'maybe' }, /^AKVSYNC_HONOUR_RELOADER must be true or false/],
    [{ AZURE_CLIENT_SECRET: 'pw', AZURE_CLIENT_ID: 'c' }, /^AZURE_TENANT_ID is required/],
    [{ AKVSYNC_WATCH_NAMESPACES: 'Bad_NS' }, /^AKVSYNC_WATCH_NAMESPACES "Bad_NS" is not a namespace name/],
    [{ AKVSYNC_NAMESPACE: 'Agent_NS' }, /^AKVSYNC_NAMESPACE "Agent_NS" is not a namespace name/],
    [{ AKVSYNC_DATA_HASH_KEY_SECRET: 'Key/Secret' }, /^AKVSYNC_DATA_HASH_KEY_SECRET "Key\/Secret" is not a Secret name/],
    [{ AKVSYNC_DATA_HASH_KEY_FILE: '/keys/short.key' }, /^AKVSYNC_DATA_HASH_KEY_FILE must hold at least 32 bytes/],
    [{ AKVSYNC_DATA_HASH_KEY_FILE: '/keys/missing.key' }, /^AKVSYNC_DATA_HASH_KEY_FILE cannot read file/],
    [{ AKVSYNC_DATA_HASH_KEY_FILE: '/keys/data-hash.key', AKVSYNC_DATA_HASH_KEY_SECRET: 'k' }, /^AKVSYNC_DATA_HASH_KEY_SECRET cannot be used with AKVSYNC_DATA_HASH_KEY_FILE/],
  ])('names the bad setting: %j', (overrides, message) => {
    expect(() => load(validEnv(overrides))).toThrow(message);
  });

  it('output lifecycle: no owner references and drift repair on by default (burst 3, 10 s); each setting checked', () => {
    expect(load(validEnv()).outputs).toEqual({ ownerReferences: false, driftRepair: true, repairBurst: 3, repairIntervalMs: 10_000 });
    expect(load(validEnv({ AKVSYNC_OUTPUT_OWNER_REFERENCES: 'true', AKVSYNC_DRIFT_REPAIR: 'false', AKVSYNC_DRIFT_REPAIR_BURST: '5', AKVSYNC_DRIFT_REPAIR_INTERVAL: '500ms' })).outputs)
      .toEqual({ ownerReferences: true, driftRepair: false, repairBurst: 5, repairIntervalMs: 500 });
    expect(() => load(validEnv({ AKVSYNC_DRIFT_REPAIR_BURST: '0' }))).toThrow(/^AKVSYNC_DRIFT_REPAIR_BURST /);
    expect(() => load(validEnv({ AKVSYNC_DRIFT_REPAIR_INTERVAL: '10ms' }))).toThrow(/^AKVSYNC_DRIFT_REPAIR_INTERVAL must be at least 100 ms/);
  });

  it('takes the data-hash key from a file (no Secret then), or names the key Secret and the agent namespace', () => {
    expect(load(validEnv({ AKVSYNC_DATA_HASH_KEY_FILE: '/keys/data-hash.key' })).dataHashKey).toEqual({ source: 'file', key: new Uint8Array(Buffer.alloc(32, 5)) });
    const c = load(validEnv({ AKVSYNC_DATA_HASH_KEY_SECRET: 'my-hash-key', AKVSYNC_NAMESPACE: 'akvsync-system' }));
    expect(c.dataHashKey).toEqual({ source: 'secret', secretName: 'my-hash-key' });
    expect(c.namespace).toBe('akvsync-system');
    expect(load(validEnv(), ['--namespace', 'ops']).namespace).toBe('ops');
  });

  it('never echoes a secret setting in its error', () => {
    const secretish = 'AAAAsecret-material-BBBB';
    let message = '';
    try {
      load(validEnv({ AKVSYNC_SIGNING_KEYS: `{"k1":"${secretish}"` }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^AKVSYNC_SIGNING_KEYS /);
    expect(message).not.toContain(secretish);
  });

  it('needs no TLS or keyring when the notify endpoint is disabled', () => {
    const c = load({ AKVSYNC_NOTIFY_ENABLED: 'false' });
    expect(c.notify.enabled).toBe(false);
    expect(c.keyring.size).toBe(0);
  });

  it('reads the reload interval, the keyring file to re-read, and leader election (off by default)', () => {
    const c = load(validEnv());
    expect(c.reloadIntervalMs).toBe(30_000);
    expect(c.keyringFile).toBe('/keys/keyring.json');
    expect(c.notify.tls).toMatchObject({ certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' });
    expect(c.leaderElection.enabled).toBe(false);
    const inline = load({ ...validEnv({ AKVSYNC_SIGNING_KEYS_FILE: undefined }), AKVSYNC_SIGNING_KEYS: KEYRING, AKVSYNC_RELOAD_INTERVAL: '5s' });
    expect(inline.keyringFile).toBeUndefined();
    expect(inline.reloadIntervalMs).toBe(5000);
    const ha = load(validEnv({ AKVSYNC_LEADER_ELECTION: 'true', AKVSYNC_POD_NAME: 'agent-0', AKVSYNC_LEADER_ELECTION_LEASE: 'my-lease' }));
    expect(ha.leaderElection).toEqual({
      enabled: true, leaseName: 'my-lease', identity: 'agent-0', advertiseHost: undefined, timings: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    });
    const fast = load(validEnv({ AKVSYNC_LEADER_ELECTION_LEASE_DURATION: '4s', AKVSYNC_LEADER_ELECTION_RENEW_DEADLINE: '3s', AKVSYNC_LEADER_ELECTION_RETRY_PERIOD: '500ms' }));
    expect(fast.leaderElection.timings).toEqual({ leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 });
    expect(() => load(validEnv({ AKVSYNC_LEADER_ELECTION_LEASE_DURATION: '10s' }))).toThrow(/AKVSYNC_LEADER_ELECTION_RENEW_DEADLINE.*shorter/);
    expect(() => load(validEnv({ AKVSYNC_LEADER_ELECTION_RETRY_PERIOD: '10s' }))).toThrow(/AKVSYNC_LEADER_ELECTION_RETRY_PERIOD.*shorter/);
    expect(() => load(validEnv({ AKVSYNC_LEADER_ELECTION_LEASE: 'Not A Name' }))).toThrow(/AKVSYNC_LEADER_ELECTION_LEASE/);
    expect(() => load(validEnv({ AKVSYNC_RELOAD_INTERVAL: '10ms' }))).toThrow(/AKVSYNC_RELOAD_INTERVAL/);
  });
});

describe('object label selector (akv2k8s OBJECT_LABELS)', () => {
  it('is off by default; AKVSYNC_OBJECT_LABELS or akv2k8s OBJECT_LABELS sets it, AKVSYNC_ first', () => {
    expect(load(validEnv()).objectLabelSelector).toBeUndefined();
    expect(load(validEnv({ OBJECT_LABELS: 'someSecretLabel=someSecretValue' })).objectLabelSelector).toBe('someSecretLabel=someSecretValue');
    expect(load(validEnv({ OBJECT_LABELS: 'a=b', AKVSYNC_OBJECT_LABELS: ' team in (x, y), !legacy ' })).objectLabelSelector).toBe('team in (x, y),!legacy');
  });

  it('refuses a bad selector at start-up, naming the setting', () => {
    expect(() => load(validEnv({ AKVSYNC_OBJECT_LABELS: 'a=b,,c' }))).toThrow(/AKVSYNC_OBJECT_LABELS.*requirement 2 is empty/);
    expect(() => load(validEnv({ OBJECT_LABELS: 'bad key=x' }))).toThrow(/OBJECT_LABELS.*not a label selector/);
  });
});

describe('namespaces handed over from akv2k8s (AKVSYNC_AKV2K8S_NAMESPACES)', () => {
  it('is off by default and lists namespaces, each of them watched when a watch list is set', () => {
    expect(load(validEnv()).akv2k8sNamespaces).toEqual([]);
    expect(load(validEnv({ AKVSYNC_AKV2K8S_NAMESPACES: 'team-a, team-b' })).akv2k8sNamespaces).toEqual(['team-a', 'team-b']);
    expect(load(validEnv({ AKVSYNC_WATCH_NAMESPACES: 'team-a,team-b', AKVSYNC_AKV2K8S_NAMESPACES: 'team-b' })).akv2k8sNamespaces).toEqual(['team-b']);
  });

  it.each([
    [{ AKVSYNC_AKV2K8S_NAMESPACES: 'Team_A' }, /^AKVSYNC_AKV2K8S_NAMESPACES "Team_A" is not a namespace name/],
    [{ AKVSYNC_WATCH_NAMESPACES: 'team-a', AKVSYNC_AKV2K8S_NAMESPACES: 'team-b' }, /^AKVSYNC_AKV2K8S_NAMESPACES "team-b" is not in AKVSYNC_WATCH_NAMESPACES/],
  ])('refuses %j', (env, message) => {
    expect(() => load(validEnv(env))).toThrow(message);
  });
});
