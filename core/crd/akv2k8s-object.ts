/**
 * akv2k8s's own `spv.no/v2beta1` AzureKeyVaultSecret, served unchanged in handed-over namespaces
 * (docs/migrate-from-akv2k8s.md). Its spec is a subset of akvsync.io/v1's, so it goes through the same validation and
 * reconcile; what differs is where it lives (group, version), and its status: akv2k8s's schema keeps only five
 * fields, so the agent's conditions travel as Events and metrics, and these five are projected from its status here.
 */
import { AKV2K8S_API_VERSION, AKVS_API_VERSION, AKVS_PLURAL, AKVS_VERSION, AKVSYNC_GROUP } from './azure-key-vault-secret.js';
import type { AkvsStatus } from './azure-key-vault-secret.js';

export const AKV2K8S_GROUP = 'spv.no';
export const AKV2K8S_VERSION = 'v2beta1';

/** The five status fields of akv2k8s's v2beta1 schema (reference §2.4); nothing else survives its pruning. */
export interface Akv2k8sStatus {
  secretName?: string;
  /** The keyed data hash of this object's keys (HMAC with the agent's data-hash key): never akv2k8s's unkeyed MD5. */
  secretHash?: string;
  configMapName?: string;
  configMapHash?: string;
  /** RFC 3339: when the agent last wrote a new value into the output (akv2k8s: every poll). */
  lastAzureUpdate?: string;
}

const FIELDS = ['secretName', 'secretHash', 'configMapName', 'configMapHash', 'lastAzureUpdate'] as const;
const HASHES: readonly string[] = ['secretHash', 'configMapHash'];

/** Whether a CR is akv2k8s's (`spv.no/…`) rather than akvsync's own. */
export function isAkv2k8sObject(cr: { readonly apiVersion?: string }): boolean {
  return cr.apiVersion?.split('/')[0] === AKV2K8S_GROUP;
}

/** The API path parts of a CR's resource (the status subresource, owner references and Events name it). */
export function crResourceOf(cr: { readonly apiVersion?: string }): { group: string; version: string; plural: string; apiVersion: string } {
  return isAkv2k8sObject(cr)
    ? { group: AKV2K8S_GROUP, version: AKV2K8S_VERSION, plural: AKVS_PLURAL, apiVersion: AKV2K8S_API_VERSION }
    : { group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: AKVS_PLURAL, apiVersion: AKVS_API_VERSION };
}

/** The v2beta1 fields an akvsync status stands for. */
export function akv2k8sStatusOf(status: AkvsStatus): Akv2k8sStatus {
  const out: Akv2k8sStatus = {};
  if (status.outputKind === 'Secret') Object.assign(out, { secretName: status.outputName, secretHash: status.dataHash });
  if (status.outputKind === 'ConfigMap') Object.assign(out, { configMapName: status.outputName, configMapHash: status.dataHash });
  if (status.lastChangeTime !== undefined) out.lastAzureUpdate = status.lastChangeTime;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Akv2k8sStatus;
}

/**
 * The merge patch of `.status` that moves an akv2k8s object from `previous` to `next` (the agent's own view of its
 * status, kept in memory since v2beta1 cannot hold it), or undefined when none of the five fields changes, so a
 * condition-only change writes nothing. `previous` without conditions means the agent has not written this object
 * yet: then every field it knows is set, and a hash it does not hold is cleared (null), so akv2k8s's unkeyed MD5 never
 * stays beside the agent's names.
 */
export function akv2k8sStatusPatch(previous: AkvsStatus | undefined, next: AkvsStatus): Record<string, string | null> | undefined {
  const before = previous?.conditions === undefined ? undefined : akv2k8sStatusOf(previous);
  const after = akv2k8sStatusOf(next);
  const patch: Record<string, string | null> = {};
  for (const field of FIELDS) {
    const value = after[field];
    if (before !== undefined && before[field] === value) continue;
    if (value !== undefined) patch[field] = value;
    else if (before !== undefined || HASHES.includes(field)) patch[field] = null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
