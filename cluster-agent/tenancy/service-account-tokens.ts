/**
 * ServiceAccount tokens for workload identity federation: TokenRequest (`serviceaccounts/token`) for a ServiceAccount
 * in a tenant's namespace with audience api://AzureADTokenExchange, cached per ServiceAccount until a fifth of its
 * lifetime is left. Tokens are credentials: kept in memory only, never logged.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../core/ports/clock.js';
import { kubeError } from '../adapters/kube-errors.js';

export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

export type RequestToken = (namespace: string, serviceAccount: string, expirationSeconds: number) => Promise<{ token: string; expiresAtMs: number }>;

export function kubeTokenRequest(kubeConfig: KubeConfig): RequestToken {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return async (namespace, name, expirationSeconds) => {
    try {
      const answer = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [FEDERATION_AUDIENCE], expirationSeconds } } });
      const token = answer.status?.token;
      const expires = answer.status?.expirationTimestamp;
      if (!token || !expires) throw new Error('TokenRequest answered without a token');
      return { token, expiresAtMs: new Date(expires).getTime() };
    } catch (error) {
      throw kubeError(error, `TokenRequest for serviceaccount ${namespace}/${name}`);
    }
  };
}

export class ServiceAccountTokens {
  private readonly cache = new Map<string, { token: string; refreshAtMs: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly request: RequestToken,
    private readonly clock: Clock,
    private readonly expirationSeconds: number,
  ) {}

  token(namespace: string, serviceAccount: string): Promise<string> {
    const key = `${namespace}/${serviceAccount}`;
    const cached = this.cache.get(key);
    if (cached && this.clock.now() < cached.refreshAtMs) return Promise.resolve(cached.token);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const loading = this.request(namespace, serviceAccount, this.expirationSeconds)
      .then(({ token, expiresAtMs }) => {
        const now = this.clock.now();
        this.cache.set(key, { token, refreshAtMs: now + Math.max(0, expiresAtMs - now) * 0.8 });
        return token;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, loading);
    return loading;
  }
}
