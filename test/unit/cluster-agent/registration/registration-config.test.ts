import { parseRegistrationConfig } from '../../../../cluster-agent/registration/registration-config.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const parse = (env: Record<string, string>, queueMode = false) =>
  parseRegistrationConfig((n) => env[n], (n) => (n in env ? (n === 'AKVSYNC_REGISTRATION_CA_FILE' ? CA : 'x') : undefined), queueMode);

describe('registration settings', () => {
  it('is off without AKVSYNC_REGISTRATION_URL', () => {
    expect(parse({})).toBeUndefined();
  });

  it('push: the endpoint and CA the Function should use, defaults for the timing', () => {
    expect(parse({ AKVSYNC_REGISTRATION_URL: 'https://fn.azurewebsites.net/', AKVSYNC_CLUSTER_NAME: 'prod-a', AKVSYNC_REGISTRATION_ENDPOINT: 'https://a.example/v1/notifications', AKVSYNC_REGISTRATION_CA_FILE: '/ca' })).toEqual({
      url: 'https://fn.azurewebsites.net/api/clusters/prod-a/registration', cluster: 'prod-a', delivery: 'push', endpoint: 'https://a.example/v1/notifications', caPem: CA,
      intervalMs: 180_000, debounceMs: 2000, timeoutMs: 10_000,
    });
  });

  it('queue: the default when the agent drains a queue and has no endpoint; plain http only to loopback', () => {
    expect(parse({ AKVSYNC_REGISTRATION_URL: 'http://127.0.0.1:7071', AKVSYNC_CLUSTER_NAME: 'edge', AKVSYNC_REGISTRATION_INTERVAL: '1s' }, true)).toMatchObject({ delivery: 'queue', endpoint: undefined, intervalMs: 1000 });
    expect(() => parse({ AKVSYNC_REGISTRATION_URL: 'http://fn.example', AKVSYNC_CLUSTER_NAME: 'edge' }, true)).toThrow(/^AKVSYNC_REGISTRATION_URL must be the Function app's https:\/\/ base URL/);
  });

  it('names the setting that is missing or wrong', () => {
    const base = { AKVSYNC_REGISTRATION_URL: 'https://fn.example' };
    expect(() => parse(base)).toThrow(/^AKVSYNC_CLUSTER_NAME is required/);
    expect(() => parse({ ...base, AKVSYNC_CLUSTER_NAME: 'a' })).toThrow(/^AKVSYNC_REGISTRATION_ENDPOINT is required for push delivery/);
    expect(() => parse({ ...base, AKVSYNC_CLUSTER_NAME: 'a', AKVSYNC_REGISTRATION_ENDPOINT: 'http://a/v1/notifications' })).toThrow(/^AKVSYNC_REGISTRATION_ENDPOINT/);
    expect(() => parse({ ...base, AKVSYNC_CLUSTER_NAME: 'a', AKVSYNC_REGISTRATION_DELIVERY: 'queue' })).toThrow(/queue needs the queue consumer/);
    expect(() => parse({ ...base, AKVSYNC_CLUSTER_NAME: 'a', AKVSYNC_REGISTRATION_DELIVERY: 'both' })).toThrow(/^AKVSYNC_REGISTRATION_DELIVERY must be push or queue/);
    expect(() => parse({ ...base, AKVSYNC_CLUSTER_NAME: 'a', AKVSYNC_REGISTRATION_DELIVERY: 'queue', AKVSYNC_REGISTRATION_ENDPOINT: 'https://a/v1/notifications' }, true)).toThrow(/for push delivery only/);
  });
});
