import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { KubeApiClients, PooledKubeAuthentication } from '../../../../cluster-agent/adapters/kube-api-clients.js';

function kubeConfig(caData: string, token: string, proxyUrl?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: 'https://127.0.0.1:6443', caData, skipTLSVerify: false, ...(proxyUrl ? { proxyUrl } : {}) }],
    users: [{ name: 'agent', token }],
    contexts: [{ name: 'ctx', cluster: 'local', user: 'agent' }],
    currentContext: 'ctx',
  });
  return kc;
}

async function authenticate(auth: PooledKubeAuthentication): Promise<RequestContext> {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
  await auth.applySecurityAuthentication(context);
  return context;
}

describe('PooledKubeAuthentication', () => {
  const caA = Buffer.from('-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n').toString('base64');
  const caB = Buffer.from('-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n').toString('base64');

  it('sends every request over the same pooled dispatcher, with the credentials of the moment', async () => {
    const kc = kubeConfig(caA, 'token-1');
    const auth = new PooledKubeAuthentication(kc);
    const first = await authenticate(auth);
    const second = await authenticate(auth);
    expect(first.getDispatcher()).toBeDefined();
    expect(second.getDispatcher()).toBe(first.getDispatcher());
    expect(first.getHeaders()['Authorization']).toBe('Bearer token-1');
    // A rotated token (same TLS material) keeps the pool and is sent at once.
    const user = kc.getCurrentUser();
    if (!user) throw new Error('no user');
    (user as { token?: string }).token = 'token-2';
    const third = await authenticate(auth);
    expect(third.getDispatcher()).toBe(first.getDispatcher());
    expect(third.getHeaders()['Authorization']).toBe('Bearer token-2');
    await auth.close();
  });

  it('builds a new pool when the TLS material changes', async () => {
    const kc = kubeConfig(caA, 'token');
    const auth = new PooledKubeAuthentication(kc);
    const before = (await authenticate(auth)).getDispatcher();
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('no cluster');
    (cluster as { caData?: string }).caData = caB;
    const after = (await authenticate(auth)).getDispatcher();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect((await authenticate(auth)).getDispatcher()).toBe(after);
    await auth.close();
  });

  it('leaves a cluster behind a proxy to the authentication of client-node, which knows proxies', async () => {
    const direct = new KubeApiClients(kubeConfig(caA, 'token'));
    const proxied = new KubeApiClients(kubeConfig(caA, 'token', 'http://127.0.0.1:3128'));
    expect([direct.pooling, proxied.pooling]).toEqual([true, false]);
    await Promise.all([direct.close(), proxied.close()]);
  });
});
