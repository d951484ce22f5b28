/**
 * Per-namespace identity: one Key Vault store per (namespace, ServiceAccount, client id, tenant), whose credential is
 * @azure/identity's ClientAssertionCredential with a TokenRequest token of that ServiceAccount as the federated
 * assertion — what WorkloadIdentityCredential does with a projected token file, without a token on disk. The
 * credential caches its Entra ID access token; the ServiceAccount token is cached by ServiceAccountTokens.
 */
import { ClientAssertionCredential, type TokenCredential } from '@azure/identity';
import { TerminalError } from '../../core/errors.js';
import type { VaultObjectStore } from '../../core/ports/vault-object-store.js';
import type { TenantIdentity } from '../../core/tenancy/access-policy.js';
import type { ServiceAccountTokens } from './service-account-tokens.js';

export interface TenantStoresOptions {
  readonly tokens: ServiceAccountTokens;
  /** The agent's tenant, used when a policy's identity names none. */
  readonly tenantId: string | undefined;
  readonly authorityHost: string | undefined;
  readonly disableInstanceDiscovery: boolean;
  /** A Key Vault store reading with `credential` (the agent's store settings); `identity` names it in 401/403 messages. */
  readonly storeWith: (credential: TokenCredential, identity: string) => VaultObjectStore;
}

export class TenantStores {
  private readonly stores = new Map<string, VaultObjectStore>();

  constructor(private readonly options: TenantStoresOptions) {}

  /** Drops the Key Vault client of `vault` from every tenant store (no CR references the vault any more). */
  forgetVault(vault: string): void {
    for (const store of this.stores.values()) store.forgetVault(vault);
  }

  /** Drops the stores of a namespace that is gone. */
  forgetNamespace(namespace: string): void {
    for (const key of [...this.stores.keys()]) if (key.startsWith(`${namespace}/`)) this.stores.delete(key);
  }

  /** The store reading as `identity` for CRs of `namespace`; TerminalError when no tenant id is known. */
  storeFor(namespace: string, identity: TenantIdentity): VaultObjectStore {
    const tenantId = identity.tenantId ?? this.options.tenantId;
    if (!tenantId) {
      throw new TerminalError('TenantIdentityUnconfigured', `the access policy names client ${identity.clientId} without a tenantId, and the agent has no AZURE_TENANT_ID`);
    }
    const key = `${namespace}/${identity.serviceAccountName}/${identity.clientId.toLowerCase()}/${tenantId.toLowerCase()}`;
    let store = this.stores.get(key);
    if (!store) {
      const { tokens, authorityHost, disableInstanceDiscovery } = this.options;
      const credential = new ClientAssertionCredential(tenantId, identity.clientId, () => tokens.token(namespace, identity.serviceAccountName), {
        ...(authorityHost ? { authorityHost } : {}),
        disableInstanceDiscovery,
      });
      store = this.options.storeWith(credential, `client ${identity.clientId} (ServiceAccount ${namespace}/${identity.serviceAccountName})`);
      this.stores.set(key, store);
    }
    return store;
  }
}
