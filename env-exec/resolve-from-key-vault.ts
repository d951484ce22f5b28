/**
 * Workload-identity mode (akv2k8s #623): the pod's own federated ServiceAccount token (AZURE_FEDERATED_TOKEN_FILE,
 * written by the Azure Workload Identity webhook) → Entra token → Key Vault. Each Key Vault object is read once
 * however many variables name it.
 */
import tls from 'node:tls';
import { WorkloadIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { TerminalError } from '../core/errors.js';
import type { PlannedVariable, VaultSource } from '../core/injection/injection-plan.js';
import { pemCertificates } from '../core/injection/pem-blocks.js';
import { keyVaultError } from '../core/key-vault/key-vault-errors.js';
import { type RenderedVariable, type SecretText, renderVariable } from '../core/injection/render-variable.js';
import type { EnvExecConfig } from './env-exec-config.js';
import { type RetryOptions, withRetries } from './with-retries.js';

type WorkloadIdentityConfig = Extract<EnvExecConfig, { auth: 'workload-identity' }>;

const sourceKey = (s: VaultSource): string => `${s.vault}/${s.name}/${s.version ?? ''}`;

function credential(env: Readonly<Record<string, string | undefined>>): WorkloadIdentityCredential {
  const missing = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE'].filter((n) => !env[n]);
  if (missing.length > 0) throw new TerminalError('NoWorkloadIdentity', `workload-identity mode needs ${missing.join(', ')} (label the pod azure.workload.identity/use: "true")`);
  return new WorkloadIdentityCredential({
    clientId: env.AZURE_CLIENT_ID as string,
    tenantId: env.AZURE_TENANT_ID as string,
    tokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE as string,
    ...(env.AZURE_AUTHORITY_HOST ? { authorityHost: env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true } : {}),
  });
}

/** The compiled-in public roots plus the configured extra CA (a private endpoint's). Costs ~50 ms: only when needed. */
function trustExtraCa(extraCaPem: string | undefined): void {
  if (extraCaPem !== undefined) tls.setDefaultCACertificates([...tls.getCACertificates('bundled'), ...pemCertificates(extraCaPem)]);
}

export async function resolveFromKeyVault(
  config: WorkloadIdentityConfig, env: Readonly<Record<string, string | undefined>>, retry: RetryOptions,
): Promise<Map<string, RenderedVariable>> {
  trustExtraCa(config.extraCaPem);
  const cred = credential(env);
  const clients = new Map<string, SecretClient>();
  const clientFor = (vault: string): SecretClient => {
    let client = clients.get(vault);
    if (!client) {
      client = new SecretClient(config.vaultUrl(vault), cred, { disableChallengeResourceVerification: config.customVaultUrls, retryOptions: { maxRetries: 1 } });
      clients.set(vault, client);
    }
    return client;
  };
  const reads = new Map<string, Promise<SecretText>>();
  const read = (s: VaultSource): Promise<SecretText> => {
    const key = sourceKey(s);
    let pending = reads.get(key);
    if (!pending) {
      const what = `${s.vault}/${s.name}${s.version ? `/${s.version}` : ''}`;
      pending = withRetries(async () => {
        try {
          const secret = await clientFor(s.vault).getSecret(s.name, s.version ? { version: s.version } : {});
          if (secret.value === undefined) throw new TerminalError('SecretDisabled', `Key Vault secret ${what} returned no value (disabled)`);
          return { value: secret.value, contentType: secret.properties.contentType, version: secret.properties.version ?? '' };
        } catch (error) {
          throw error instanceof TerminalError ? error : keyVaultError(error, what, { who: "this pod's identity", nowMs: Date.now() });
        }
      }, retry);
      reads.set(key, pending);
    }
    return pending;
  };
  const rendered = new Map<string, RenderedVariable>();
  await Promise.all(config.plan.map(async (entry: PlannedVariable) => {
    rendered.set(entry.env, renderVariable(entry, await read(entry.source)));
  }));
  return rendered;
}
