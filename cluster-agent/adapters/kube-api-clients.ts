import type { RequestOptions } from 'node:https';
import { KubernetesObjectApi, ServerConfiguration, createConfiguration } from '@kubernetes/client-node';
import type { Configuration, KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';
import { Agent } from 'undici';

/**
 * Authentication for generated API clients that takes credentials from the KubeConfig on every request (so rotated
 * service-account tokens and certificate files are honoured) but sends every request over ONE pooled, keep-alive
 * undici Agent, rebuilt only when the TLS material (CA, client certificate, key) changes. The KubeConfig's own
 * authentication builds a new Agent per request, so each call pays a fresh TCP + TLS handshake; under a fan-out of
 * thousands of writes that handshake was most of the cost.
 */
export class PooledKubeAuthentication implements SecurityAuthentication {
  private agent: { readonly tls: TlsMaterial; readonly dispatcher: Agent } | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {}

  getName(): string {
    return 'kubeconfig authentication, pooled connections';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) context.setHeaderParam(name, String(value));
    }
    if (typeof options.auth === 'string') context.setHeaderParam('Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`);
    context.setDispatcher(this.dispatcherFor(options));
  }

  /** Closes the pooled connections (the agent's shutdown). */
  async close(): Promise<void> {
    const current = this.agent;
    this.agent = undefined;
    await current?.dispatcher.close();
  }

  private dispatcherFor(options: RequestOptions): Agent {
    const tls: TlsMaterial = {
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      ...(options.pfx !== undefined ? { pfx: options.pfx } : {}),
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
      ...(options.servername !== undefined ? { servername: options.servername } : {}),
    };
    if (this.agent && sameTls(this.agent.tls, tls)) return this.agent.dispatcher;
    // New or rotated TLS material: a new pool; the old one finishes what it is sending, then closes.
    const previous = this.agent;
    this.agent = { tls, dispatcher: new Agent({ connect: { ...tls, keepAlive: true, keepAliveInitialDelay: 30_000 } }) };
    void previous?.dispatcher.close().catch(() => undefined);
    return this.agent.dispatcher;
  }
}

type TlsMaterial = Readonly<Record<string, unknown>>;

/** Same CA, client certificate, key and TLS settings (compared by content: the KubeConfig reads them anew per request). */
function sameTls(a: TlsMaterial, b: TlsMaterial): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => sameValue(a[name], b[name]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return a === b;
}

/**
 * API clients for one KubeConfig sharing one connection pool. A cluster reached through a proxy (`proxy-url` in the
 * kubeconfig) keeps client-node's own authentication, which knows how to talk through it.
 */
export class KubeApiClients {
  private readonly pooled: PooledKubeAuthentication | undefined;
  private readonly configuration: Configuration;

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.pooled = cluster.proxyUrl ? undefined : new PooledKubeAuthentication(kubeConfig);
    this.configuration = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: this.pooled ?? kubeConfig } });
  }

  /** Whether requests share the pooled connections (false through a proxy). */
  get pooling(): boolean {
    return this.pooled !== undefined;
  }

  make<T>(apiClientType: new (configuration: Configuration) => T): T {
    return new apiClientType(this.configuration);
  }

  /** The generic object API (server-side apply). Objects sent through it always name their namespace. */
  objects(): KubernetesObjectApi {
    return new KubernetesObjectApi(this.configuration);
  }

  async close(): Promise<void> {
    await this.pooled?.close();
  }
}
