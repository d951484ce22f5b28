/**
 * Name rules shared by the CRD schema (as regular expressions that compile in both ECMAScript and Go's RE2, since
 * kube-apiserver checks `pattern` with Go: no look-arounds) and by the code that computes outputs.
 */

/** Secret / ConfigMap / workload names: an RFC 1123 subdomain, at most 253 characters. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const DNS_SUBDOMAIN_MAX = 253;

/**
 * Secret / ConfigMap data keys: `[-._a-zA-Z0-9]+`, at most 253, and not `.`, `..` or starting with `..`
 * (Kubernetes' IsConfigMapKey). Written without look-ahead: an optional single leading dot, then a non-dot.
 */
export const DATA_KEY_PATTERN = '^\\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$';
export const DATA_KEY_MAX = 253;

/** Key Vault names: 3–24 letters, digits and hyphens, starting and ending with a letter or digit (case-insensitive). */
export const VAULT_NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$';
/** Key Vault object names: 1–127 letters, digits and hyphens. */
export const VAULT_OBJECT_NAME_PATTERN = '^[0-9a-zA-Z-]{1,127}$';
/** Key Vault versions are opaque ids (32 hex characters in Azure). */
export const VAULT_OBJECT_VERSION_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
/** Kubernetes Secret types: `Opaque`, `kubernetes.io/tls`, or a custom `example.com/kind`. */
export const SECRET_TYPE_PATTERN = '^[A-Za-z0-9][-._/A-Za-z0-9]*$';

/** Label values: at most 63, empty or alphanumeric at both ends with `-`, `_`, `.` inside. */
export const LABEL_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** Label keys: an optional DNS-subdomain prefix and `/`, then a name of at most 63 (length checked separately). */
export const LABEL_KEY_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
/** Globs over Key Vault names and object names: the name characters plus `*` (any run) and `?` (one). */
export const VAULT_NAME_GLOB_PATTERN = '^[a-zA-Z0-9*?-]{1,24}$';
export const VAULT_OBJECT_NAME_GLOB_PATTERN = '^[0-9a-zA-Z*?-]{1,127}$';
/** Entra ID client and tenant ids. */
export const GUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const DNS_SUBDOMAIN = new RegExp(DNS_SUBDOMAIN_PATTERN);
const DATA_KEY = new RegExp(DATA_KEY_PATTERN);

export const isDnsSubdomain = (s: string): boolean => s.length <= DNS_SUBDOMAIN_MAX && DNS_SUBDOMAIN.test(s);
export const isDataKey = (s: string): boolean => s.length <= DATA_KEY_MAX && DATA_KEY.test(s);

/** What each pattern means, for error messages that a user can act on. */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [DNS_SUBDOMAIN_PATTERN]: 'must be a Kubernetes object name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)',
  [DATA_KEY_PATTERN]: 'must be a valid Secret/ConfigMap key ([-._a-zA-Z0-9]+, not "." or "..", not starting with "..")',
  [VAULT_NAME_PATTERN]: 'must be a Key Vault name (3-24 letters, digits and "-", starting and ending with a letter or digit)',
  [VAULT_OBJECT_NAME_PATTERN]: 'must be a Key Vault object name (1-127 letters, digits and "-")',
  [VAULT_OBJECT_VERSION_PATTERN]: 'must be a Key Vault object version (1-64 letters, digits, ".", "_" and "-")',
  [SECRET_TYPE_PATTERN]: 'must be a Kubernetes Secret type such as Opaque or kubernetes.io/tls',
  [LABEL_VALUE_PATTERN]: 'must be a label value (at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit)',
  [LABEL_KEY_PATTERN]: 'must be a label key ([prefix/]name, the name letters, digits, "-", "_" and ".")',
  [VAULT_NAME_GLOB_PATTERN]: 'must be a Key Vault name or a glob of one (letters, digits, "-", "*" and "?")',
  [VAULT_OBJECT_NAME_GLOB_PATTERN]: 'must be a Key Vault object name or a glob of one (letters, digits, "-", "*" and "?")',
  [GUID_PATTERN]: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
};
