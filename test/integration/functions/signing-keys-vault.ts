/**
 * For tests of registered clusters: the Key Vault emulator's vault of signing keys as `npm run onboard` writes it
 * (a SecretClient with the real credential), and the Function app settings that make the Function read those keys
 * with its own identity (the emulator's client, its authority, the local CA).
 */
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { getTestStack } from '../support/stack-client.js';

export const KEYS_VAULT = 'akvsynckeys';

/** `maxRetries: 0` when a test injects a fault the SDK would otherwise retry past. */
export function signingKeysClient(emulator: KeyVaultEmulator, maxRetries = 3): SecretClient {
  const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true });
  return new SecretClient(emulator.vaultUrl(KEYS_VAULT), credential, { disableChallengeResourceVerification: true, retryOptions: { maxRetries } });
}

/** Function app settings: the registry on Azurite, keys from the emulator's keys vault, cached for 1 s. */
export function keyVaultKeySettings(emulator: KeyVaultEmulator): Record<string, string> {
  return {
    AKVSYNC_STORAGE: getTestStack().azurite.connectionString,
    AKVSYNC_SIGNING_KEYS_VAULT_URL: emulator.vaultUrl(KEYS_VAULT),
    AKVSYNC_SIGNING_KEY_CACHE_SECONDS: '1',
    AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
    AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'true',
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: emulator.clientId,
    AZURE_CLIENT_SECRET: emulator.clientSecret,
    AZURE_AUTHORITY_HOST: emulator.authorityHost,
    NODE_EXTRA_CA_CERTS: getTestStack().caFile,
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
  };
}
