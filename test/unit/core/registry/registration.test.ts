import { InvalidRegistrationError, parseRegistration, type Registration } from '../../../../core/registry/registration.js';
import { pushEndpointProblem } from '../../../../core/registry/push-endpoint.js';

const forbidden = (host: string) => (host === '169.254.169.254' ? 'link-local' : undefined);
const parse = (body: unknown, cluster = 'prod-a'): Registration => parseRegistration(JSON.stringify(body), cluster, forbidden);
const problemsOf = (body: unknown, cluster = 'prod-a'): readonly string[] => {
  try {
    parse(body, cluster);
  } catch (error) {
    if (error instanceof InvalidRegistrationError) return error.problems;
    throw error;
  }
  throw new Error('parsed');
};
const push = { cluster: 'prod-a', delivery: 'push', endpoint: 'https://agent.example:8443/v1/notifications', subscriptions: [] };

describe('parseRegistration', () => {
  it('parses a push registration, lower-cases vaults and drops duplicate subscriptions', () => {
    const r = parse({ ...push, subscriptions: [
      { vault: 'KV-Prod', objectType: 'Secret', objectName: 'db-password' },
      { vault: 'kv-prod', objectType: 'Secret', objectName: 'DB-password' },
      { vault: 'kv-prod', objectType: 'Certificate', objectName: 'tls-*' },
      { vault: 'kv-prod', objectType: 'Key', objectName: 'k-??' },
    ] });
    expect(r).toEqual({ cluster: 'prod-a', delivery: 'push', endpoint: 'https://agent.example:8443/v1/notifications', caPem: undefined, subscriptions: [
      { vault: 'kv-prod', objectType: 'Secret', objectName: 'DB-password' },
      { vault: 'kv-prod', objectType: 'Certificate', objectName: 'tls-*' },
      { vault: 'kv-prod', objectType: 'Key', objectName: 'k-??' },
    ] });
  });

  it('parses a queue registration without an endpoint', () => {
    expect(parse({ cluster: 'prod-a', delivery: 'queue', subscriptions: [] }).endpoint).toBeUndefined();
    expect(problemsOf({ cluster: 'prod-a', delivery: 'queue', endpoint: push.endpoint, subscriptions: [] })).toEqual(['endpoint, caPem: only for push delivery']);
  });

  it.each([
    ['http://agent.example/v1/notifications', /https/],
    ['https://user:pw@agent.example/v1/notifications', /without credentials/],
    ['https://agent.example/other', /ending in \/v1\/notifications/],
    ['https://169.254.169.254/v1/notifications', /link-local; notifications are never sent there/],
  ])('refuses the endpoint %s', (endpoint, message) => {
    const problems = problemsOf({ ...push, endpoint });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('refuses a body for another cluster, unknown fields, a bad delivery mode and bad subscriptions, listing each', () => {
    const problems = problemsOf({ cluster: 'prod-b', delivery: 'pull', extra: 1, subscriptions: [
      { vault: 'x', objectType: 'Secret', objectName: 'a' },
      { vault: 'kv-prod', objectType: 'Blob', objectName: 'a/b' },
    ] });
    expect(problems).toEqual([
      'unknown field "extra"',
      'cluster: must be the cluster name of the URL',
      'delivery: must be "push" or "queue"',
      'subscriptions[0]: invalid vault',
      'subscriptions[1]: invalid objectType, objectName',
    ]);
  });

  it('refuses malformed JSON without quoting it, and too many subscriptions', () => {
    expect(() => parseRegistration('{"secret-looking', 'prod-a', forbidden)).toThrow(/registration is not valid JSON$/);
    const many = Array.from({ length: 2001 }, (_, i) => ({ vault: 'kv-prod', objectType: 'Secret', objectName: `s${i}` }));
    expect(problemsOf({ ...push, subscriptions: many })).toEqual([expect.stringMatching(/at most 2000/)]);
  });

  it('refuses a caPem that is not a certificate', () => {
    expect(problemsOf({ ...push, caPem: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' })).toEqual(['caPem: must be one or more PEM certificates']);
  });
});

describe('pushEndpointProblem', () => {
  it('accepts https with a port and a path prefix, asking the runtime about the host', () => {
    const asked: string[] = [];
    expect(pushEndpointProblem('https://10.0.0.4:8443/agent/v1/notifications', (h) => (asked.push(h), undefined))).toBeUndefined();
    expect(asked).toEqual(['10.0.0.4']);
  });
});
