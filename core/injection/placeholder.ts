/**
 * akv2k8s's placeholder grammar: an env var whose whole `value` is `<name>@azurekeyvault[?<query>]`, where `<name>`
 * is an AzureKeyVaultSecret in the pod's namespace. Differences from akv2k8s (a superset):
 *  - the query may be any Secret data key (`[-._a-zA-Z0-9]+`), so multi-key keys with `-` work (akv2k8s: `[A-Za-z_][A-Za-z0-9_.]*`);
 *  - the query `*` on a multi-key-value-secret injects every key as its own variable (akv2k8s #343, see inject-all-keys.ts);
 *  - `<name>` may contain `.` (any Kubernetes object name).
 * A value that merely contains the marker (`prefix-x@azurekeyvault`, a JSON document) is left literal, as akv2k8s does.
 */
import { isDataKey, isDnsSubdomain } from '../crd/kubernetes-names.js';

export const PLACEHOLDER_MARKER = '@azurekeyvault';
/** The query that injects every key of a multi-key-value-secret. */
export const ALL_KEYS_QUERY = '*';

export interface Placeholder {
  /** The AzureKeyVaultSecret's name. */
  readonly akvs: string;
  /** undefined when there is no query (or an empty `?`, which akv2k8s allows). */
  readonly query: string | undefined;
}

const SHAPE = /^([^@?]+)@azurekeyvault(?:\?(.*))?$/s;

/** The placeholder in an env var's value, or undefined when the value is not (exactly) one. */
export function parsePlaceholder(value: string | undefined): Placeholder | undefined {
  if (value === undefined || !value.includes(PLACEHOLDER_MARKER)) return undefined;
  const match = SHAPE.exec(value);
  if (!match) return undefined;
  const akvs = match[1] as string;
  const query = match[2] === undefined || match[2] === '' ? undefined : match[2];
  if (!isDnsSubdomain(akvs)) return undefined;
  if (query !== undefined && query !== ALL_KEYS_QUERY && !isDataKey(query)) return undefined;
  return { akvs, query };
}

/** True when the value carries the marker at all: akv2k8s's trigger, used to explain why a value was left literal. */
export const mentionsPlaceholder = (value: string | undefined): boolean => value?.includes(PLACEHOLDER_MARKER) === true;
