import { createHash } from 'node:crypto';
import type { VaultObjectRef } from '../../core/ports/vault-object-store.js';
import { isVaultObjectType } from '../../core/sync/object-types.js';

/**
 * Work-queue keys. The queue is keyed by VAULT OBJECT, so one Key Vault version costs one read however many CRs use it.
 * A CR whose spec is too broken to name a vault object gets a key of its own so its status can say so.
 * Which vault object a CR reads is the object-type table's answer (core/sync/object-types.ts: vaultObjectRefOf).
 */
const OBJECT_PREFIX = 'object:';
const CR_PREFIX = 'cr:';
const FINALIZE_PREFIX = 'finalize:';

export function objectKey(ref: VaultObjectRef): string {
  return `${OBJECT_PREFIX}${ref.vault.toLowerCase()}/${ref.objectType}/${ref.name}`;
}

export function crKey(namespace: string, name: string): string {
  return `${CR_PREFIX}${namespace}/${name}`;
}

/** A CR being deleted whose output the agent cleans up before it removes its finalizer (controller/output-lifecycle.ts). */
export function finalizeKey(namespace: string, name: string): string {
  return `${FINALIZE_PREFIX}${namespace}/${name}`;
}

export type ParsedKey =
  | { readonly kind: 'object'; readonly ref: VaultObjectRef }
  | { readonly kind: 'cr'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'finalize'; readonly namespace: string; readonly name: string };

export function parseKey(key: string): ParsedKey | undefined {
  if (key.startsWith(OBJECT_PREFIX)) {
    const [vault, objectType, ...rest] = key.slice(OBJECT_PREFIX.length).split('/');
    const name = rest.join('/');
    if (!vault || !name || !isVaultObjectType(objectType)) return undefined;
    return { kind: 'object', ref: { vault, objectType, name } };
  }
  for (const [prefix, kind] of [[CR_PREFIX, 'cr'], [FINALIZE_PREFIX, 'finalize']] as const) {
    if (!key.startsWith(prefix)) continue;
    const [namespace, name] = key.slice(prefix.length).split('/');
    if (!namespace || !name) return undefined;
    return { kind, namespace, name };
  }
  return undefined;
}

/** The digest of a work-queue key that names its vault object in an output's source label (label keys are short). */
export function sourceDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 40);
}
