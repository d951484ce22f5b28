/**
 * The environment of an agent replica with leader election against the local stack and the Key Vault emulator: what
 * the Helm chart gives each Pod (docs/agent.md), with loopback ports chosen by the OS. Tests and benchmarks share it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReplicaEnvOptions {
  readonly podName: string;
  readonly kubeconfigPath: string;
  /** The agent's own namespace (its Lease, the data-hash key Secret). */
  readonly namespace: string;
  readonly watchNamespaces: readonly string[];
  /** vault name → emulator URL. */
  readonly vaultUrls: Readonly<Record<string, string>>;
  readonly azure: { readonly tenantId: string; readonly clientId: string; readonly clientSecret: string; readonly authorityHost: string };
  readonly signingKey: { readonly keyId: string; readonly key: Uint8Array };
  /** The notify certificate every replica mounts (one Secret). */
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** AKVSYNC_LEADER_ELECTION_LEASE_DURATION / _RENEW_DEADLINE / _RETRY_PERIOD, e.g. '4s'. */
  readonly lease: { readonly duration: string; readonly renewDeadline: string; readonly retryPeriod: string };
  /** A directory of the caller's (removed by it) where the certificate files are written. */
  readonly dir: string;
  readonly extra?: Readonly<Record<string, string>>;
}

export function replicaEnv(o: ReplicaEnvOptions): Record<string, string> {
  const dir = o.dir;
  writeFileSync(join(dir, 'tls.crt'), o.tls.certPem);
  writeFileSync(join(dir, 'tls.key'), o.tls.keyPem, { mode: 0o600 });
  return {
    KUBECONFIG: o.kubeconfigPath,
    AKVSYNC_NAMESPACE: o.namespace,
    AKVSYNC_WATCH_NAMESPACES: o.watchNamespaces.join(','),
    AKVSYNC_POD_NAME: o.podName,
    AKVSYNC_LEADER_ELECTION: 'true',
    AKVSYNC_LEADER_ELECTION_LEASE_DURATION: o.lease.duration,
    AKVSYNC_LEADER_ELECTION_RENEW_DEADLINE: o.lease.renewDeadline,
    AKVSYNC_LEADER_ELECTION_RETRY_PERIOD: o.lease.retryPeriod,
    AKVSYNC_TLS_CERT_FILE: join(dir, 'tls.crt'),
    AKVSYNC_TLS_KEY_FILE: join(dir, 'tls.key'),
    AKVSYNC_SIGNING_KEYS: JSON.stringify({ [o.signingKey.keyId]: Buffer.from(o.signingKey.key).toString('base64') }),
    AKVSYNC_VAULT_URLS: JSON.stringify(o.vaultUrls),
    AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
    AZURE_TENANT_ID: o.azure.tenantId,
    AZURE_CLIENT_ID: o.azure.clientId,
    AZURE_CLIENT_SECRET: o.azure.clientSecret,
    AZURE_AUTHORITY_HOST: o.azure.authorityHost,
    AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'true',
    AKVSYNC_NOTIFY_HOST: '127.0.0.1',
    AKVSYNC_NOTIFY_PORT: '0',
    AKVSYNC_METRICS_HOST: '127.0.0.1',
    AKVSYNC_METRICS_PORT: '0',
    ...o.extra,
  };
}
