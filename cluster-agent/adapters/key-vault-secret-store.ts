import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { NotFoundError } from '../../core/errors.js';
import type { SecretProperties, SecretStore, SecretVersion } from '../../core/ports/secret-store.js';
import { keyVaultError } from './key-vault-errors.js';

export interface KeyVaultSecretStoreOptions {
  readonly credential: TokenCredential;
  /** `vault` (lower-case name) → its URL, e.g. https://myvault.vault.azure.net. */
  readonly vaultUrl: (vault: string) => string;
  /** Needed only when the vault answers on an address that is not a *.vault.azure.net name (local emulator). */
  readonly disableChallengeResourceVerification?: boolean;
  /** SDK retries per call (429 with Retry-After, 5xx, network) before an error reaches the work queue. Default 3. */
  readonly maxRetries?: number;
  /** Called for every HTTP attempt, with its status code (0 when no response came back). */
  readonly onRequest?: (vault: string, operation: string, status: number) => void;
}

const PAGE_SIZE = 25;

/**
 * SecretStore over @azure/keyvault-secrets: one SecretClient per vault. SDK failures are mapped to our error classes
 * (see key-vault-errors.ts); no value ever goes into an error, a log line or a metric label.
 */
export class KeyVaultSecretStore implements SecretStore {
  private readonly clients = new Map<string, SecretClient>();

  constructor(private readonly options: KeyVaultSecretStoreOptions) {}

  async getSecret(vault: string, name: string, version?: string): Promise<SecretVersion> {
    const client = this.client(vault);
    let secret;
    try {
      secret = await client.getSecret(name, version ? { version } : {});
    } catch (error) {
      throw keyVaultError(error, `${vault}/${name}${version ? `/${version}` : ''}`);
    }
    const p = secret.properties;
    if (secret.value === undefined) {
      throw new NotFoundError('SecretDisabled', `Key Vault secret ${vault}/${name} returned no value (disabled)`);
    }
    return {
      vault,
      name,
      version: p.version ?? version ?? '',
      value: secret.value,
      contentType: p.contentType,
      enabled: p.enabled ?? true,
      updatedOn: p.updatedOn?.getTime(),
      expiresOn: p.expiresOn?.getTime(),
    };
  }

  async *listSecretProperties(vault: string): AsyncIterable<SecretProperties> {
    const pages = this.client(vault).listPropertiesOfSecrets().byPage({ maxPageSize: PAGE_SIZE });
    const iterator = pages[Symbol.asyncIterator]();
    for (;;) {
      let page;
      try {
        page = await iterator.next();
      } catch (error) {
        throw keyVaultError(error, `${vault} (list)`);
      }
      if (page.done) return;
      for (const p of page.value) {
        yield {
          vault,
          name: p.name,
          version: p.version,
          enabled: p.enabled ?? true,
          contentType: p.contentType,
          updatedOn: p.updatedOn?.getTime(),
        };
      }
    }
  }

  private client(vault: string): SecretClient {
    const existing = this.clients.get(vault);
    if (existing) return existing;
    const onRequest = this.options.onRequest;
    const clientOptions: SecretClientOptions = {
      disableChallengeResourceVerification: this.options.disableChallengeResourceVerification ?? false,
      retryOptions: { maxRetries: this.options.maxRetries ?? 3 },
      additionalPolicies: onRequest
        ? [{
            position: 'perRetry',
            policy: {
              name: 'akvsyncRequestCounter',
              async sendRequest(request, next) {
                const operation = operationOf(request.method, request.url);
                try {
                  const response = await next(request);
                  onRequest(vault, operation, response.status);
                  return response;
                } catch (error) {
                  onRequest(vault, operation, (error as { statusCode?: number }).statusCode ?? 0);
                  throw error;
                }
              },
            },
          }]
        : [],
    };
    const client = new SecretClient(this.options.vaultUrl(vault), this.options.credential, clientOptions);
    this.clients.set(vault, client);
    return client;
  }
}

/** `getSecret` / `listSecrets` / … from the REST path (metric label; never includes names). */
export function operationOf(method: string, url: string): string {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'secrets') return `${method.toLowerCase()}Other`;
  if (parts.length === 1) return 'listSecrets';
  if (parts[2] === 'versions') return 'listVersions';
  return method === 'GET' ? 'getSecret' : `${method.toLowerCase()}Secret`;
}
