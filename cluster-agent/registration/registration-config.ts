/**
 * The agent's registration with the Function's cluster registry (POST <url>/api/clusters/<cluster>/registration,
 * docs/functions.md "Cluster registry"):
 *   AKVSYNC_REGISTRATION_URL        the Function app's base URL, https://<app>.azurewebsites.net (plain http only to a
 *                                   loopback host: the local Functions host); setting it turns registration on
 *   AKVSYNC_CLUSTER_NAME            the cluster's name in the registry — the name its signing key was onboarded under
 *   AKVSYNC_REGISTRATION_DELIVERY   push | queue: how the Function should deliver. Default: queue when AKVSYNC_QUEUE_NAME
 *                                   is set and AKVSYNC_REGISTRATION_ENDPOINT is not, else push
 *   AKVSYNC_REGISTRATION_ENDPOINT   push: the notify URL the Function reaches (https://…/v1/notifications, the Ingress or
 *                                   load balancer in front of the notify port)
 *   AKVSYNC_REGISTRATION_CA_FILE    push, optional: PEM CA the Function trusts for that endpoint (a private CA)
 *   AKVSYNC_REGISTRATION_INTERVAL   heartbeat, default 3m (the Function's stale window defaults to 10 min)
 *   AKVSYNC_REGISTRATION_DEBOUNCE   how long a changed subscription set must stay unchanged before it is sent, default 2s
 *   AKVSYNC_REGISTRATION_TIMEOUT    per request, default 10s
 * Requests are signed with the agent's keyring (AKVSYNC_SIGNING_KEYS[_FILE]), the cluster's own key.
 */
import type { DeliveryMode } from '../../core/registry/registration.js';
import { CLUSTER_NAME } from '../../core/registry/registration.js';
import { NOTIFICATION_PATH } from '../../core/notification/notification.js';
import { ConfigError, parseDuration } from '../config-values.js';

export interface RegistrationConfig {
  /** The full registration URL of this cluster. */
  readonly url: string;
  readonly cluster: string;
  readonly delivery: DeliveryMode;
  readonly endpoint: string | undefined;
  readonly caPem: string | undefined;
  readonly intervalMs: number;
  readonly debounceMs: number;
  readonly timeoutMs: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

export function parseRegistrationConfig(
  get: (name: string) => string | undefined,
  file: (name: string) => string | undefined,
  queueMode: boolean,
): RegistrationConfig | undefined {
  const base = get('AKVSYNC_REGISTRATION_URL');
  if (base === undefined) return undefined;
  const parsed = URL.canParse(base) ? new URL(base) : undefined;
  if (!parsed || !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname))) || parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new ConfigError('AKVSYNC_REGISTRATION_URL', 'must be the Function app\'s https:// base URL (http:// only to a loopback host), without credentials, query or fragment');
  }
  const cluster = get('AKVSYNC_CLUSTER_NAME');
  if (cluster === undefined || !CLUSTER_NAME.test(cluster)) throw new ConfigError('AKVSYNC_CLUSTER_NAME', `is required with AKVSYNC_REGISTRATION_URL and must match ${CLUSTER_NAME}`);
  const endpoint = get('AKVSYNC_REGISTRATION_ENDPOINT');
  const delivery = get('AKVSYNC_REGISTRATION_DELIVERY') ?? (queueMode && endpoint === undefined ? 'queue' : 'push');
  if (delivery !== 'push' && delivery !== 'queue') throw new ConfigError('AKVSYNC_REGISTRATION_DELIVERY', 'must be push or queue');
  if (delivery === 'push') {
    const url = endpoint !== undefined && URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    if (url?.protocol !== 'https:' || !url.pathname.endsWith(NOTIFICATION_PATH) || url.username || url.password || url.hash) {
      throw new ConfigError('AKVSYNC_REGISTRATION_ENDPOINT', `is required for push delivery: the https://…${NOTIFICATION_PATH} URL the Function reaches this agent at`);
    }
  } else if (endpoint !== undefined || get('AKVSYNC_REGISTRATION_CA_FILE') !== undefined) {
    throw new ConfigError('AKVSYNC_REGISTRATION_ENDPOINT', 'and AKVSYNC_REGISTRATION_CA_FILE are for push delivery only');
  } else if (!queueMode) {
    throw new ConfigError('AKVSYNC_REGISTRATION_DELIVERY', 'queue needs the queue consumer (AKVSYNC_QUEUE_NAME)');
  }
  const caPem = file('AKVSYNC_REGISTRATION_CA_FILE');
  if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('AKVSYNC_REGISTRATION_CA_FILE', 'is not a PEM certificate');
  return {
    url: `${base.replace(/\/+$/, '')}/api/clusters/${cluster}/registration`,
    cluster,
    delivery,
    endpoint: delivery === 'push' ? endpoint : undefined,
    caPem,
    intervalMs: parseDuration('AKVSYNC_REGISTRATION_INTERVAL', get('AKVSYNC_REGISTRATION_INTERVAL'), 3 * 60_000, 1000),
    debounceMs: parseDuration('AKVSYNC_REGISTRATION_DEBOUNCE', get('AKVSYNC_REGISTRATION_DEBOUNCE'), 2000, 50),
    timeoutMs: parseDuration('AKVSYNC_REGISTRATION_TIMEOUT', get('AKVSYNC_REGISTRATION_TIMEOUT'), 10_000, 100),
  };
}
