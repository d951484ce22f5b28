/**
 * Test support: a Key Vault emulator whose CA this process trusts, and real SDK clients pointed at it.
 */
import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { type KeyVaultEmulator, type KeyVaultEmulatorOptions, startKeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { type TestCa, createTestCa } from '../../../scripts/local-stack/tls.js';

export interface TrustedEmulator {
  readonly emulator: KeyVaultEmulator;
  readonly ca: TestCa;
  readonly credential: ClientSecretCredential;
  secretClient(vault: string, options?: SecretClientOptions, credential?: TokenCredential): SecretClient;
  certificateClient(vault: string): CertificateClient;
  keyClient(vault: string): KeyClient;
  /** A raw authenticated request to a vault (for endpoints the installed SDKs do not cover). */
  vaultFetch(vault: string, pathAndQuery: string, init?: RequestInit): Promise<Response>;
}

export function trustCa(ca: TestCa): void {
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca.certPem]);
}

export async function startTrustedEmulator(overrides: Partial<KeyVaultEmulatorOptions> = {}): Promise<TrustedEmulator> {
  // A unique subject: OpenSSL picks the issuer by name, and several test files may trust CAs in one process.
  const ca = overrides.ca ?? createTestCa(`kv-emulator test CA ${randomUUID()}`);
  trustCa(ca);
  const emulator = await startKeyVaultEmulator({ vaults: ['alpha', 'beta'], ...overrides, ca });
  const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, {
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
  });
  return {
    emulator,
    ca,
    credential,
    secretClient: (vault, options = {}, cred = credential) =>
      new SecretClient(emulator.vaultUrl(vault), cred, { disableChallengeResourceVerification: true, ...options }),
    certificateClient: (vault) => new CertificateClient(emulator.vaultUrl(vault), credential, { disableChallengeResourceVerification: true }),
    keyClient: (vault) => new KeyClient(emulator.vaultUrl(vault), credential, { disableChallengeResourceVerification: true }),
    vaultFetch: async (vault, pathAndQuery, init = {}) => {
      const token = await credential.getToken('https://vault.azure.net/.default');
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token.token}`);
      return fetch(`${emulator.vaultUrl(vault)}${pathAndQuery}`, { ...init, headers });
    },
  };
}
