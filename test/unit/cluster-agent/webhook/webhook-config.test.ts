/** The webhook's settings: off by default; when on, its own TLS and env-exec's image are required; env-exec's digests checked. */
import { ConfigError } from '../../../../cluster-agent/config-values.js';
import { DEFAULT_WEBHOOK_PORT, loadWebhookConfig } from '../../../../cluster-agent/webhook/webhook-config.js';

const FILES: Record<string, string> = { '/tls/crt': '-----BEGIN CERTIFICATE-----\nx', '/tls/key': '-----BEGIN PRIVATE KEY-----\nx', '/ca': '-----BEGIN CERTIFICATE-----\nca' };
const ON: Record<string, string> = {
  AKVSYNC_WEBHOOK_ENABLED: 'true', AKVSYNC_WEBHOOK_TLS_CERT_FILE: '/tls/crt', AKVSYNC_WEBHOOK_TLS_KEY_FILE: '/tls/key',
  AKVSYNC_ENV_EXEC_IMAGE: 'reg.example/akvsync/agent:1', AKVSYNC_ENV_EXEC_SHA256: `amd64=${'AB'.repeat(32)}, arm64=${'cd'.repeat(32)}`, AKVSYNC_ENV_AGENT_URL: 'https://agent.ns.svc:9443/',
};
const load = (env: Record<string, string>) => loadWebhookConfig((n) => env[n], (n) => (env[n] === undefined ? undefined : FILES[env[n] as string]));

describe('loadWebhookConfig', () => {
  it('is off unless AKVSYNC_WEBHOOK_ENABLED', () => {
    expect(load({})).toBeUndefined();
  });

  it('reads the settings with their defaults', () => {
    const config = load({ ...ON, AKVSYNC_REGISTRY_MIRRORS: '{"docker.io":"mirror.example/hub"}', AKVSYNC_ENV_CA_FILE: '/ca' });
    expect(config).toMatchObject({
      host: '0.0.0.0', port: DEFAULT_WEBHOOK_PORT, commandFailurePolicy: 'closed', tls: { certFile: '/tls/crt', keyFile: '/tls/key' },
      envExec: { bundlesDir: '/opt/akvsync/env-exec', sha256: { amd64: 'ab'.repeat(32), arm64: 'cd'.repeat(32) } },
      injection: { installSourceDir: '/opt/akvsync/env-exec/native', agentUrl: 'https://agent.ns.svc:9443', defaultAuth: 'agent', acceptAkv2k8sLabel: false, extraCaPem: FILES['/ca'] },
      registry: { timeoutMs: 5000, mirrors: [{ registry: 'docker.io', mirror: 'mirror.example/hub' }] },
    });
  });

  it('takes env-exec from the image\'s bundles when no digest is set', () => {
    const { AKVSYNC_ENV_EXEC_SHA256: _, ...env } = ON;
    expect(load({ ...env, AKVSYNC_ENV_EXEC_BUNDLES: '/bundles' })?.envExec).toEqual({ bundlesDir: '/bundles' });
  });

  it.each([
    [{ AKVSYNC_WEBHOOK_TLS_KEY_FILE: '' }, 'AKVSYNC_WEBHOOK_TLS_KEY_FILE'],
    [{ AKVSYNC_ENV_EXEC_SHA256: 'abc' }, 'AKVSYNC_ENV_EXEC_SHA256'],
    [{ AKVSYNC_ENV_EXEC_SHA256: 'ab'.repeat(32) }, 'AKVSYNC_ENV_EXEC_SHA256'],
    [{ AKVSYNC_ENV_EXEC_SHA256: `riscv64=${'ab'.repeat(32)}` }, 'AKVSYNC_ENV_EXEC_SHA256'],
    [{ AKVSYNC_ENV_EXEC_SHA256: `amd64=${'ab'.repeat(32)},amd64=${'cd'.repeat(32)}` }, 'AKVSYNC_ENV_EXEC_SHA256'],
    [{ AKVSYNC_WEBHOOK_COMMAND_FAILURE_POLICY: 'ignore' }, 'AKVSYNC_WEBHOOK_COMMAND_FAILURE_POLICY'],
    [{ AKVSYNC_ENV_DEFAULT_AUTH: 'token' }, 'AKVSYNC_ENV_DEFAULT_AUTH'],
    [{ AKVSYNC_ENV_AGENT_URL: 'http://agent' }, 'AKVSYNC_ENV_AGENT_URL'],
    [{ AKVSYNC_WEBHOOK_MAX_BODY_BYTES: '10' }, 'AKVSYNC_WEBHOOK_MAX_BODY_BYTES'],
  ])('refuses %p naming the setting', (change, setting) => {
    const env = Object.fromEntries(Object.entries({ ...ON, ...change }).filter(([, v]) => v !== ''));
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(setting);
  });
});
