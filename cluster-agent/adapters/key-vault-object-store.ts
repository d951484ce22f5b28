import type { TokenCredential } from '@azure/identity';
import { KeyClient } from '@azure/keyvault-keys';
import type { JsonWebKey } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { NotFoundError, TerminalError } from '../../core/errors.js';
import type {
  PublicKey, SecretValue, VaultObject, VaultObjectProperties, VaultObjectRef, VaultObjectStore, VaultObjectType,
} from '../../core/ports/vault-object-store.js';
import { keyVaultError } from '../../core/key-vault/key-vault-errors.js';

export interface KeyVaultObjectStoreOptions {
  readonly credential: TokenCredential;
  /** `vault` (lower-case name) → its URL, e.g. https://myvault.vault.azure.net. */
  readonly vaultUrl: (vault: string) => string;
  /** Needed only when the vault answers on an address that is not a *.vault.azure.net name (local emulator). */
  readonly disableChallengeResourceVerification?: boolean;
  /** SDK retries per call (429 with Retry-After, 5xx, network) before an error reaches the work queue. Default 3. */
  readonly maxRetries?: number;
  /** Who reads, as named in a 401/403 message (default: the agent's identity). */
  readonly identity?: string;
  /** Called for every HTTP attempt, with its status code (0 when no response came back). */
  readonly onRequest?: (vault: string, operation: string, status: number) => void;
}

const PAGE_SIZE = 25;

/** A JWK's public members only, base64url (the SDK gives Uint8Arrays); never `d`, `p`, `q`… even if present. */
function publicJwk(key: JsonWebKey): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['kid', 'kty', 'crv'] as const) {
    const v = key[name];
    if (typeof v === 'string') out[name] = v;
  }
  for (const name of ['n', 'e', 'x', 'y'] as const) {
    const v = key[name];
    if (v instanceof Uint8Array) out[name] = Buffer.from(v).toString('base64url');
  }
  return out;
}

/**
 * VaultObjectStore over the Azure SDK: one SecretClient and one KeyClient per vault. Secrets, and certificates through
 * their backing secret (the exportable form: PEM or PKCS#12, which carries the private key when it is exportable), are
 * read with the secrets API; keys with the keys API (public JWK only). SDK failures are mapped to our error classes
 * (see key-vault-errors.ts); no value ever goes into an error, a log line or a metric label.
 */
export class KeyVaultObjectStore implements VaultObjectStore {
  private readonly clients = new Map<string, SecretClient>();
  private readonly keyClients = new Map<string, KeyClient>();

  constructor(private readonly options: KeyVaultObjectStoreOptions) {}

  read(ref: VaultObjectRef, version?: string): Promise<VaultObject> {
    if (ref.objectType === 'key') return this.readKey(ref.vault, ref.name, version);
    return this.readSecretValue(ref.vault, ref.name, version);
  }

  listProperties(vault: string, objectType: VaultObjectType): AsyncIterable<VaultObjectProperties> {
    if (objectType === 'certificate') throw new TerminalError('UnsupportedObjectType', `certificates are listed as their backing secrets (${vault})`);
    return objectType === 'key' ? this.listKeyProperties(vault) : this.listSecretProperties(vault);
  }

  private async readKey(vault: string, name: string, version: string | undefined): Promise<PublicKey> {
    let key;
    try {
      key = await this.keyClient(vault).getKey(name, version ? { version } : {});
    } catch (error) {
      throw keyVaultError(error, `${vault}/${name}${version ? `/${version}` : ''}`, { noun: 'key', who: this.options.identity, nowMs: Date.now() });
    }
    const p = key.properties;
    if (key.key === undefined) throw new NotFoundError('SecretDisabled', `Key Vault key ${vault}/${name} returned no key material (disabled)`);
    return {
      kind: 'public-key',
      vault,
      name,
      version: p.version ?? version ?? '',
      jwk: publicJwk(key.key),
      enabled: p.enabled ?? true,
      updatedOn: p.updatedOn?.getTime(),
      expiresOn: p.expiresOn?.getTime(),
    };
  }

  private async *listKeyProperties(vault: string): AsyncIterable<VaultObjectProperties> {
    yield* pagesOf(this.keyClient(vault).listPropertiesOfKeys().byPage({ maxPageSize: PAGE_SIZE }), vault, this.options.identity, (p) => ({
      vault, name: p.name, version: p.version, enabled: p.enabled ?? true, contentType: undefined, updatedOn: p.updatedOn?.getTime(),
    }));
  }

  forgetVault(vault: string): void {
    this.clients.delete(vault);
    this.keyClients.delete(vault);
  }

  /** How many vault clients (secrets and keys) are kept (tests). */
  get clientCount(): number {
    return this.clients.size + this.keyClients.size;
  }

  private async readSecretValue(vault: string, name: string, version: string | undefined): Promise<SecretValue> {
    const client = this.client(vault);
    let secret;
    try {
      secret = await client.getSecret(name, version ? { version } : {});
    } catch (error) {
      throw keyVaultError(error, `${vault}/${name}${version ? `/${version}` : ''}`, { who: this.options.identity, nowMs: Date.now() });
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
    yield* pagesOf(this.client(vault).listPropertiesOfSecrets().byPage({ maxPageSize: PAGE_SIZE }), vault, this.options.identity, (p) => ({
      vault, name: p.name, version: p.version, enabled: p.enabled ?? true, contentType: p.contentType, updatedOn: p.updatedOn?.getTime(),
    }));
  }

  private client(vault: string): SecretClient {
    const existing = this.clients.get(vault);
    if (existing) return existing;
    const client = new SecretClient(this.options.vaultUrl(vault), this.options.credential, this.clientOptions(vault));
    this.clients.set(vault, client);
    return client;
  }

  private keyClient(vault: string): KeyClient {
    const existing = this.keyClients.get(vault);
    if (existing) return existing;
    const client = new KeyClient(this.options.vaultUrl(vault), this.options.credential, this.clientOptions(vault));
    this.keyClients.set(vault, client);
    return client;
  }

  /** The options both clients share: challenge verification, retries, the request counter. */
  private clientOptions(vault: string): SecretClientOptions {
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
    return clientOptions;
  }
}

/** Items of a paged SDK listing; a failed page becomes our error (never the SDK's message). */
async function* pagesOf<P>(pages: AsyncIterable<P[]>, vault: string, who: string | undefined, toProperties: (p: P) => VaultObjectProperties): AsyncIterable<VaultObjectProperties> {
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    let page;
    try {
      page = await iterator.next();
    } catch (error) {
      throw keyVaultError(error, `${vault} (list)`, { who, nowMs: Date.now() });
    }
    if (page.done) return;
    for (const p of page.value) yield toProperties(p);
  }
}

/** `getSecret` / `listSecrets` / `getKey` / … from the REST path (metric label; never includes names). */
export function operationOf(method: string, url: string): string {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'keys') {
    if (parts.length === 1) return 'listKeys';
    if (parts[2] === 'versions') return 'listKeyVersions';
    return method === 'GET' ? 'getKey' : `${method.toLowerCase()}Key`;
  }
  if (parts[0] !== 'secrets') return `${method.toLowerCase()}Other`;
  if (parts.length === 1) return 'listSecrets';
  if (parts[2] === 'versions') return 'listVersions';
  return method === 'GET' ? 'getSecret' : `${method.toLowerCase()}Secret`;
}
