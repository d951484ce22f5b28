/**
 * AzureKeyVaultAccessPolicy (akvsync.io/v1, cluster-scoped): which namespaces (by label selector) may use which
 * vaults and object names (globs), and optionally the identity their reads use. The JSON schema is in
 * ./access-policy-schema.ts; evaluation in ./evaluate-access.ts; docs/tenancy.md explains the model.
 */
import { AKVS_VERSION, AKVSYNC_GROUP, type AkvsObjectType } from '../crd/azure-key-vault-secret.js';
import type { LabelSelector } from './label-selector.js';

export const ACCESS_POLICY_KIND = 'AzureKeyVaultAccessPolicy';
export const ACCESS_POLICY_LIST_KIND = 'AzureKeyVaultAccessPolicyList';
export const ACCESS_POLICY_PLURAL = 'azurekeyvaultaccesspolicies';
export const ACCESS_POLICY_SINGULAR = 'azurekeyvaultaccesspolicy';
export const ACCESS_POLICY_SHORT_NAMES: readonly string[] = ['akvap'];
export const ACCESS_POLICY_API_VERSION = `${AKVSYNC_GROUP}/${AKVS_VERSION}`;

/** One vault (a glob over vault names) and the object names (globs) and types that may be read from it. */
export interface AccessGrant {
  vault: string;
  objects: string[];
  /** Absent: every object type. */
  objectTypes?: AkvsObjectType[];
}

/**
 * The Entra ID application the selected namespaces read as: the agent asks for a token of ServiceAccount
 * `serviceAccountName` in the CR's own namespace and exchanges it (workload identity federation) for `clientId`.
 */
export interface TenantIdentity {
  serviceAccountName: string;
  clientId: string;
  /** Absent: the agent's own tenant. */
  tenantId?: string;
}

export interface AccessPolicySpec {
  namespaceSelector: LabelSelector;
  grants: AccessGrant[];
  identity?: TenantIdentity;
}

export interface AccessPolicy {
  /** metadata.name (or the document's name in a policy file). */
  name: string;
  spec: AccessPolicySpec;
}
