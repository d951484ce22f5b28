import { ConfigError } from '../../../../cluster-agent/config-values.js';
import { loadWebhookTlsConfig } from '../../../../cluster-agent/webhook-tls/webhook-tls-config.js';
import { webhookHosts } from '../../../../cluster-agent/webhook-tls/webhook-tls.js';

const FILES: Record<string, string> = { '/tls/crt': '-----BEGIN CERTIFICATE-----\nx', '/tls/key': '-----BEGIN PRIVATE KEY-----\nx' };
const load = (env: Record<string, string>) => loadWebhookTlsConfig((n) => env[n], (n) => (env[n] === undefined ? undefined : FILES[env[n] as string]));

describe('loadWebhookTlsConfig', () => {
  it('is the agent\'s own TLS unless certificate files are named, with the service\'s names and long validities', () => {
    const config = load({ AKVSYNC_WEBHOOK_SERVICE: 'akvsync-webhook', AKVSYNC_WEBHOOK_CONFIGURATION: 'akvsync-env-injection' });
    expect(config).toMatchObject({
      mode: 'agent', secretName: 'akvsync-webhook-tls', webhookConfiguration: 'akvsync-env-injection',
      rotation: { caValidityMs: 5 * 8760 * 3_600_000, servingValidityMs: 8760 * 3_600_000, overlapMs: 15 * 60_000, renewFraction: 1 / 3 },
    });
    expect(webhookHosts(config as Extract<typeof config, { mode: 'agent' }>, 'akvsync')).toEqual(['akvsync-webhook.akvsync.svc', 'akvsync-webhook.akvsync.svc.cluster.local']);
    expect(load({ AKVSYNC_WEBHOOK_CERT_HOSTS: '127.0.0.1, hook.example' })).toMatchObject({ mode: 'agent', webhookConfiguration: undefined, extraHosts: ['127.0.0.1', 'hook.example'] });
  });

  it('reads mounted files (cert-manager) when AKVSYNC_WEBHOOK_TLS_CERT_FILE is set', () => {
    expect(load({ AKVSYNC_WEBHOOK_TLS_CERT_FILE: '/tls/crt', AKVSYNC_WEBHOOK_TLS_KEY_FILE: '/tls/key' })).toEqual({
      mode: 'files', certFile: '/tls/crt', keyFile: '/tls/key', certPem: FILES['/tls/crt'], keyPem: FILES['/tls/key'],
    });
  });

  it.each([
    [{}, 'AKVSYNC_WEBHOOK_SERVICE'],
    [{ AKVSYNC_WEBHOOK_TLS_MODE: 'cert-manager' }, 'AKVSYNC_WEBHOOK_TLS_MODE'],
    [{ AKVSYNC_WEBHOOK_TLS_MODE: 'files' }, 'AKVSYNC_WEBHOOK_TLS_CERT_FILE'],
    [{ AKVSYNC_WEBHOOK_TLS_CERT_FILE: '/tls/key', AKVSYNC_WEBHOOK_TLS_KEY_FILE: '/tls/key' }, 'AKVSYNC_WEBHOOK_TLS_CERT_FILE'],
    [{ AKVSYNC_WEBHOOK_SERVICE: 's', AKVSYNC_WEBHOOK_CA_VALIDITY: '1h', AKVSYNC_WEBHOOK_ROTATION_OVERLAP: '30m' }, 'AKVSYNC_WEBHOOK_ROTATION_OVERLAP'],
    [{ AKVSYNC_WEBHOOK_SERVICE: 's', AKVSYNC_WEBHOOK_CERT_VALIDITY: '10s' }, 'AKVSYNC_WEBHOOK_CERT_VALIDITY'],
  ])('refuses %p naming the setting', (env, setting) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(setting);
  });
});
