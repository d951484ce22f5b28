import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { KubernetesObjectApi, ServerConfiguration, createConfiguration } from '@kubernetes/client-node';
import type { Configuration, KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';
import { Agent } from 'undici';

/**
 * Authentication for generated API clients that takes credentials from the KubeConfig on every request (so rotated
 * service-account tokens and certificate files are honoured) but sends every request over ONE pooled, keep-alive
 * undici Agent per TLS identity. The KubeConfig's own authentication builds a new Agent per request, so each call
 * pays a fresh TCP + TLS handshake; under a fan-out of thousands of writes that handshake was most of the cost.
 */
export class PooledKubeAuthentication implements SecurityAuthentication {
  private agent: { readonly identity: string; readonly dispatcher: Agent } | undefined;

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
    const tls = {
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      ...(options.pfx !== undefined ? { pfx: options.pfx } : {}),
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
      ...(options.servername !== undefined ? { servername: options.servername } : {}),
    };
    const identity = tlsIdentity(tls);
    if (this.agent?.identity === identity) return this.agent.dispatcher;
    // New or rotated TLS material: a new pool; the old one finishes what it is sending, then closes.
    const previous = this.agent;
    this.agent = { identity, dispatcher: new Agent({ connect: { ...tls, keepAlive: true, keepAliveInitialDelay: 30_000 } }) };
    void previous?.dispatcher.close().catch(() => undefined);
    return this.agent.dispatcher;
  }
}

/** A digest of the TLS options, so the pool is rebuilt exactly when the CA, client certificate or key changed. */
function tlsIdentity(tls: Record<string, unknown>): string {
  const hash = createHash('sha256');
  for (const [name, value] of Object.entries(tls).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(name).update('\0');
    for (const part of Array.isArray(value) ? value : [value]) hash.update(Buffer.isBuffer(part) ? part : String(part)).update('\0');
  }
  return hash.digest('hex');
}

/** API clients for one KubeConfig sharing one connection pool. */
export class KubeApiClients {
  readonly authentication: PooledKubeAuthentication;
  private readonly configuration: Configuration;

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.authentication = new PooledKubeAuthentication(kubeConfig);
    this.configuration = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: this.authentication } });
  }

  make<T>(apiClientType: new (configuration: Configuration) => T): T {
    return new apiClientType(this.configuration);
  }

  /** The generic object API (server-side apply). Objects sent through it always name their namespace. */
  objects(): KubernetesObjectApi {
    return new KubernetesObjectApi(this.configuration);
  }

  close(): Promise<void> {
    return this.authentication.close();
  }
}
