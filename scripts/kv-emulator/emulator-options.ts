/** Validation and defaults for KeyVaultEmulatorOptions; errors name the bad option. */
import { randomBytes, randomUUID } from 'node:crypto';

export const DEFAULT_TENANT_ID = '7e57e57e-0000-4000-8000-00000000a4b5';
export const DEFAULT_SUBSCRIPTION_ID = '5ab5c1d0-0000-4000-8000-00000000a4b5';
export const DEFAULT_RESOURCE_GROUP = 'akvsync-local';

const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ResolvedOptions {
  readonly vaults: readonly string[];
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export function resolveOptions(options: {
  vaults: string[];
  tenantId?: string | undefined;
  subscriptionId?: string | undefined;
  resourceGroup?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}): ResolvedOptions {
  if (!Array.isArray(options.vaults) || options.vaults.length === 0) throw new Error('KeyVaultEmulatorOptions.vaults: give at least one vault name');
  const vaults = options.vaults.map((v) => {
    if (!VAULT_NAME.test(v) || v.includes('--')) throw new Error(`KeyVaultEmulatorOptions.vaults: '${v}' is not a valid vault name (3-24 letters, digits and single dashes, starting with a letter)`);
    return v.toLowerCase();
  });
  const duplicate = vaults.find((v, i) => vaults.indexOf(v) !== i);
  if (duplicate) throw new Error(`KeyVaultEmulatorOptions.vaults: '${duplicate}' is listed twice (vault names are case-insensitive)`);
  for (const key of ['tenantId', 'subscriptionId'] as const) {
    const value = options[key];
    if (value !== undefined && !GUID.test(value)) throw new Error(`KeyVaultEmulatorOptions.${key}: '${value}' is not a GUID`);
  }
  if (options.resourceGroup !== undefined && !/^[-\w.()]{1,90}$/.test(options.resourceGroup)) {
    throw new Error(`KeyVaultEmulatorOptions.resourceGroup: '${options.resourceGroup}' is not a valid resource group name`);
  }
  return Object.freeze({
    vaults: Object.freeze(vaults),
    tenantId: (options.tenantId ?? DEFAULT_TENANT_ID).toLowerCase(),
    subscriptionId: (options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID).toLowerCase(),
    resourceGroup: options.resourceGroup ?? DEFAULT_RESOURCE_GROUP,
    ...resolveClient(options),
  });
}

/** A registered app's credentials: the given ones once checked, else a random client id and secret. */
export function resolveClient(options: { clientId?: string | undefined; clientSecret?: string | undefined }): { clientId: string; clientSecret: string } {
  if (options.clientId !== undefined && !GUID.test(options.clientId)) throw new Error(`KeyVaultEmulatorOptions.clientId: '${options.clientId}' is not a GUID`);
  if (options.clientSecret !== undefined && options.clientSecret.length < 16) throw new Error('KeyVaultEmulatorOptions.clientSecret: use at least 16 characters');
  return {
    clientId: (options.clientId ?? randomUUID()).toLowerCase(),
    clientSecret: options.clientSecret ?? randomBytes(30).toString('base64url'),
  };
}
