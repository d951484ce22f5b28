import { createHash } from 'node:crypto';
/**
 * Work-queue keys. The queue is keyed by VAULT OBJECT, so one Key Vault version costs one read however many CRs use it.
 * A CR whose spec is too broken to name a vault object gets a key of its own so its status can say so.
 */
export type VaultObjectType = 'secret' | 'certificate' | 'key';

export interface VaultObjectRef {
  /** Lower-cased: vault names are case-insensitive. */
  readonly vault: string;
  readonly objectType: VaultObjectType;
  readonly name: string;
}

const OBJECT_PREFIX = 'object:';
const CR_PREFIX = 'cr:';

export function objectKey(ref: VaultObjectRef): string {
  return `${OBJECT_PREFIX}${ref.vault.toLowerCase()}/${ref.objectType}/${ref.name}`;
}

export function crKey(namespace: string, name: string): string {
  return `${CR_PREFIX}${namespace}/${name}`;
}

export type ParsedKey =
  | { readonly kind: 'object'; readonly ref: VaultObjectRef }
  | { readonly kind: 'cr'; readonly namespace: string; readonly name: string };

export function parseKey(key: string): ParsedKey | undefined {
  if (key.startsWith(OBJECT_PREFIX)) {
    const [vault, objectType, ...rest] = key.slice(OBJECT_PREFIX.length).split('/');
    const name = rest.join('/');
    if (!vault || !name || !isVaultObjectType(objectType)) return undefined;
    return { kind: 'object', ref: { vault, objectType, name } };
  }
  if (key.startsWith(CR_PREFIX)) {
    const [namespace, name] = key.slice(CR_PREFIX.length).split('/');
    if (!namespace || !name) return undefined;
    return { kind: 'cr', namespace, name };
  }
  return undefined;
}

function isVaultObjectType(t: string | undefined): t is VaultObjectType {
  return t === 'secret' || t === 'certificate' || t === 'key';
}

/** The Key Vault object a CR's `spec.vault.object.type` reads: a multi-key-value secret is a Key Vault secret. */
export function vaultObjectTypeOf(crObjectType: string): VaultObjectType {
  if (crObjectType === 'certificate') return 'certificate';
  if (crObjectType === 'key') return 'key';
  return 'secret';
}

/** The key for a notification's object type (`Secret` | `Certificate` | `Key`). */
export function vaultObjectTypeOfNotification(objectType: 'Secret' | 'Certificate' | 'Key'): VaultObjectType {
  return objectType === 'Certificate' ? 'certificate' : objectType === 'Key' ? 'key' : 'secret';
}

/** The digest of a work-queue key that names its vault object in an output's source label (label keys are short). */
export function sourceDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 40);
}
