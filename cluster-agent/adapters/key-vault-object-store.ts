import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { NotFoundError, TerminalError } from '../../core/errors.js';
import type { SecretValue, VaultObject, VaultObjectProperties, VaultObjectRef, VaultObjectStore, VaultObjectType } from '../../core/ports/vault-object-store.js';
import { keyVaultError } from './key-vault-errors.js';

export interface KeyVaultObjectStoreOptions {
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
 * VaultObjectStore over the Azure SDK: one SecretClient per vault. Secrets, and certificates through their backing
 * secret (the exportable form: PEM or PKCS#12), are read with the secrets API; keys are not read yet
 * (`UnsupportedObjectType`, no call made). SDK failures are mapped to our error classes (see key-vault-errors.ts);
 * no value ever goes into an error, a log line or a metric label.
 */
export class KeyVaultObjectStore implements VaultObjectStore {
  private readonly clients = new Map<string, SecretClient>();

  constructor(private readonly options: KeyVaultObjectStoreOptions) {}

  read(ref: VaultObjectRef, version?: string): Promise<VaultObject> {
    if (ref.objectType === 'key') {
      return Promise.reject(new TerminalError('UnsupportedObjectType', `Key Vault keys are not synced yet (${ref.vault}/${ref.name})`));
    }
    return this.readSecretValue(ref.vault, ref.name, version);
  }

  listProperties(vault: string, objectType: VaultObjectType): AsyncIterable<VaultObjectProperties> {
    if (objectType !== 'secret') throw new TerminalError('UnsupportedObjectType', `listing Key Vault ${objectType}s is not supported yet (${vault})`);
    return this.listSecretProperties(vault);
  }

  private async readSecretValue(vault: string, name: string, version: string | undefined): Promise<SecretValue> {
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
      kind: 'secret-value',
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

  private async *listSecretProperties(vault: string): AsyncIterable<VaultObjectProperties> {
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
