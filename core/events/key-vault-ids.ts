/**
 * Parsing of the two identifiers a Key Vault event carries about itself: the object id in `data.Id`
 * (`https://<vault>.vault.azure.net/secrets/<name>/<version>`) and the vault's resource id in `topic` / `source`
 * (`/subscriptions/…/resourceGroups/…/providers/Microsoft.KeyVault/vaults/<name>`).
 */

export interface KeyVaultObjectId {
  /** The vault name from the host (`<vault>.vault.<cloud suffix>`), or undefined for a plain host (local emulator). */
  readonly vaultFromHost: string | undefined;
  /** `secrets`, `certificates` or `keys`, lower-cased. */
  readonly collection: string;
  readonly name: string;
  readonly version: string;
}

/** Hosts of Key Vault in each Azure cloud: public, China, US Government, Germany (legacy). */
const VAULT_HOST = /^([a-z0-9-]+)\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$/;

/** Parses an object id; returns a reason string (no input echoed) when it is not one. */
export function parseKeyVaultObjectId(id: string): KeyVaultObjectId | string {
  if (id.length > 2048) return 'is longer than 2048 characters';
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'is not an https URL';
  if (url.search || url.hash || url.username || url.password) return 'has a query, fragment or credentials';
  const host = url.hostname.toLowerCase();
  const vaultFromHost = VAULT_HOST.exec(host)?.[1];
  if (vaultFromHost === undefined && host.includes('.vault.')) return 'has a host that is not a known Key Vault host';
  const segments = url.pathname.replace(/\/$/, '').split('/').slice(1);
  if (segments.length !== 3) return 'is not of the form https://<vault host>/<collection>/<name>/<version>';
  const [collection, rawName, rawVersion] = segments as [string, string, string];
  let name: string;
  let version: string;
  try {
    name = decodeURIComponent(rawName);
    version = decodeURIComponent(rawVersion);
  } catch {
    return 'has a badly percent-encoded path';
  }
  return { vaultFromHost, collection: collection.toLowerCase(), name, version };
}

const VAULT_RESOURCE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)$/i;

/** The vault name (lower-cased) in a vault resource id, or undefined when the string is not one. */
export function vaultNameFromResourceId(resourceId: string): string | undefined {
  if (resourceId.length > 1024) return undefined;
  return VAULT_RESOURCE_ID.exec(resourceId.trim())?.[1]?.toLowerCase();
}
