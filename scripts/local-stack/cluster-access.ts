/**
 * Test conveniences on top of an admin KubeConfig for the local control plane: unique namespaces
 * (ready for Pods: their default ServiceAccount exists), ServiceAccounts, and real ServiceAccount tokens
 * minted through the TokenRequest API (so TokenReview and RBAC apply to them as in a real cluster).
 */
import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { buildKubeConfig } from './kubeconfig.js';
import { waitUntil } from './wait-until.js';

export interface TokenOptions {
  /** Default: the apiserver's own audience (its issuer URL). */
  readonly audiences?: readonly string[];
  /** Default 3600; the apiserver's minimum is 600. */
  readonly expirationSeconds?: number;
}

export interface NamespaceOptions {
  readonly labels?: Readonly<Record<string, string>>;
}

/** The helpers every handle on the local control plane offers (ControlPlane, the jest TestStack). */
export interface ClusterHelpers {
  /** Creates a namespace named `<prefix>-<random>` and waits until its default ServiceAccount exists. */
  createNamespace(prefix: string, options?: NamespaceOptions): Promise<string>;
  /** Creates the ServiceAccount unless it exists. */
  ensureServiceAccount(namespace: string, name: string): Promise<void>;
  /** A token for an existing ServiceAccount (TokenRequest API). */
  mintServiceAccountToken(namespace: string, serviceAccount: string, options?: TokenOptions): Promise<string>;
  /** A KubeConfig that authenticates as the ServiceAccount with a freshly minted token (RBAC applies). */
  kubeConfigForServiceAccount(namespace: string, serviceAccount: string, options?: TokenOptions): Promise<KubeConfig>;
  /**
   * The admin KubeConfig impersonating the ServiceAccount (`Impersonate-User: system:serviceaccount:<ns>:<name>`; the
   * apiserver adds its groups): RBAC and admission treat every request as the ServiceAccount's, and nothing expires.
   */
  kubeConfigImpersonating(namespace: string, serviceAccount: string): KubeConfig;
}

const isConflict = (error: unknown): boolean => error instanceof ApiException && error.code === 409;

function namespaceName(prefix: string): string {
  const base = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'test';
  return `${base}-${randomBytes(3).toString('hex')}`;
}

class ClusterAccess implements ClusterHelpers {
  readonly #adminKubeConfig: KubeConfig;
  readonly #core: CoreV1Api;

  constructor(adminKubeConfig: KubeConfig) {
    this.#adminKubeConfig = adminKubeConfig;
    this.#core = adminKubeConfig.makeApiClient(CoreV1Api);
  }

  async createNamespace(prefix: string, options: NamespaceOptions = {}): Promise<string> {
    for (;;) {
      const name = namespaceName(prefix);
      try {
        await this.#core.createNamespace({ body: { metadata: { name, labels: { ...options.labels } } } });
      } catch (error) {
        if (isConflict(error)) continue; // name taken: draw another
        throw error;
      }
      // The ServiceAccount admission plugin rejects Pods until the controller has created "default".
      await waitUntil(`ServiceAccount ${name}/default`, () => this.#core.readNamespacedServiceAccount({ namespace: name, name: 'default' }), {
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      return name;
    }
  }

  async ensureServiceAccount(namespace: string, name: string): Promise<void> {
    try {
      await this.#core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }

  async mintServiceAccountToken(namespace: string, serviceAccount: string, options: TokenOptions = {}): Promise<string> {
    const response = await this.#core.createNamespacedServiceAccountToken({
      namespace,
      name: serviceAccount,
      body: {
        spec: {
          audiences: options.audiences ? [...options.audiences] : [],
          expirationSeconds: options.expirationSeconds ?? 3600,
        },
      },
    });
    const token = response.status?.token;
    if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
    return token;
  }

  async kubeConfigForServiceAccount(namespace: string, serviceAccount: string, options?: TokenOptions): Promise<KubeConfig> {
    const cluster = this.#adminKubeConfig.getCurrentCluster();
    if (!cluster?.caData) throw new Error('the admin KubeConfig has no current cluster with embedded CA data');
    const token = await this.mintServiceAccountToken(namespace, serviceAccount, options);
    const caCertPem = Buffer.from(cluster.caData, 'base64').toString('utf8');
    return buildKubeConfig(cluster.server, caCertPem, `system:serviceaccount:${namespace}:${serviceAccount}`, { token });
  }

  kubeConfigImpersonating(namespace: string, serviceAccount: string): KubeConfig {
    const admin = this.#adminKubeConfig;
    const user = admin.getCurrentUser();
    const cluster = admin.getCurrentCluster();
    if (!user || !cluster) throw new Error('the admin KubeConfig has no current user or cluster');
    const name = `system:serviceaccount:${namespace}:${serviceAccount}`;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ ...user, name, impersonateUser: name }],
      contexts: [{ name, cluster: cluster.name, user: name, namespace }],
      currentContext: name,
    });
    return kc;
  }
}

/** The helpers as plain functions, to spread into a handle object such as ControlPlane or TestStack. */
export function clusterHelpers(adminKubeConfig: KubeConfig): ClusterHelpers {
  const access = new ClusterAccess(adminKubeConfig);
  return {
    createNamespace: (prefix, options) => access.createNamespace(prefix, options),
    ensureServiceAccount: (namespace, name) => access.ensureServiceAccount(namespace, name),
    mintServiceAccountToken: (namespace, serviceAccount, options) => access.mintServiceAccountToken(namespace, serviceAccount, options),
    kubeConfigForServiceAccount: (namespace, serviceAccount, options) => access.kubeConfigForServiceAccount(namespace, serviceAccount, options),
    kubeConfigImpersonating: (namespace, serviceAccount) => access.kubeConfigImpersonating(namespace, serviceAccount),
  };
}
