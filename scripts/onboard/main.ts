/**
 * `npm run onboard -- --cluster <name> --keys-vault-url <url> [--namespace akvsync-system] [--keyring-secret akvsync-keyring]
 *                     [--kubeconfig <path>] [--queue-service-url https://<account>.queue.core.windows.net]`
 *   First run: creates the cluster's signing key (Key Vault secret akvsync-signing-<cluster>) and the keyring
 *   Secret; later runs rotate: a new key beside the current ones. With --queue-service-url, also the cluster's
 *   queue (queue mode; the infra grants the cluster identity its role on it).
 * `npm run onboard -- --cluster <name> --keys-vault-url <url> --retire <keyId>`
 *   Removes an old key from the keyring, once Key Vault's current version is another key.
 *
 * Azure credentials: DefaultAzureCredential (az login, workload identity, AZURE_* variables); AZURE_AUTHORITY_HOST
 * and AKVSYNC_DISABLE_INSTANCE_DISCOVERY=true point it at another authority, and
 * AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION=true lets it talk to a Key Vault on another host
 * (the local emulator). Prints a JSON summary with key ids only — never key material. docs/deploy.md walks through it.
 */
import { parseArgs } from 'node:util';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { QueueServiceClient } from '@azure/storage-queue';
import { KubeConfig } from '@kubernetes/client-node';
import { keyVaultSigningKeys } from './key-vault-signing-keys.js';
import { kubeKeyringStore } from './kube-keyring-store.js';
import { addSigningKey, OnboardingError, retireSigningKey } from './signing-keys.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cluster: { type: 'string' },
      'keys-vault-url': { type: 'string' },
      namespace: { type: 'string', default: 'akvsync-system' },
      'keyring-secret': { type: 'string', default: 'akvsync-keyring' },
      kubeconfig: { type: 'string' },
      'queue-service-url': { type: 'string' },
      retire: { type: 'string' },
    },
    strict: true,
  });
  if (!values.cluster) throw new OnboardingError('--cluster is required');
  if (!values['keys-vault-url']) throw new OnboardingError('--keys-vault-url is required (the signingKeysVaultName output of the infra: https://<name>.vault.azure.net)');
  const credential = new DefaultAzureCredential({ disableInstanceDiscovery: process.env.AKVSYNC_DISABLE_INSTANCE_DISCOVERY === 'true' });
  const vault = keyVaultSigningKeys(
    new SecretClient(values['keys-vault-url'], credential, { disableChallengeResourceVerification: process.env.AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION === 'true' }),
  );
  const kubeConfig = new KubeConfig();
  if (values.kubeconfig) kubeConfig.loadFromFile(values.kubeconfig);
  else kubeConfig.loadFromDefault();
  const keyring = kubeKeyringStore(kubeConfig, values.namespace, values['keyring-secret']);
  if (values.retire) {
    console.log(JSON.stringify(await retireSigningKey(values.cluster, values.retire, { keyring, vault }), null, 2));
    return;
  }
  const queueUrl = values['queue-service-url'];
  const queues = queueUrl
    ? { createIfAbsent: async (name: string) => (await new QueueServiceClient(queueUrl, credential).getQueueClient(name).createIfNotExists()).succeeded }
    : undefined;
  const result = await addSigningKey(values.cluster, { keyring, vault, now: () => new Date(), ...(queues ? { queues } : {}) });
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error: unknown) => {
  // Only our own messages are printed whole: an SDK error may carry the request, and the request the key.
  const e = error as { name?: string; message?: string; code?: string; statusCode?: number };
  console.error(error instanceof OnboardingError ? `onboard: ${e.message}` : `onboard failed: ${e.name ?? 'Error'} ${e.code ?? ''} ${e.statusCode ?? ''}`.trim());
  process.exit(1);
});
