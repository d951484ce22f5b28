import type { AkvsObjectType, AkvsSpec } from '../crd/azure-key-vault-secret.js';
import type { VaultObjectRef, VaultObjectType } from '../ports/vault-object-store.js';
import type { ObjectTypeStrategy } from './output-strategy.js';
import { multiKeyValueObject } from './strategies/multi-key-value-object.js';
import { secretObject } from './strategies/secret-object.js';
import { unsupportedObject } from './strategies/unsupported-object.js';

/** One row per CR object type (`spec.vault.object.type`). */
export interface ObjectTypeEntry {
  /** The Key Vault object it reads: names the work-queue key, matches notifications, chooses the store read. */
  readonly reads: VaultObjectType;
  /** How the value read becomes output entries (keys validated by computeDesiredOutput). */
  readonly toOutput: ObjectTypeStrategy;
}

/**
 * THE table of object types. Adding one = a row here + its converter (a pure ObjectTypeStrategy); nothing else in
 * the agent branches on the object type. Certificates and keys answer `UnsupportedObjectType` until their converters
 * (core/certificates/) plug in here.
 */
export const OBJECT_TYPES: Readonly<Record<AkvsObjectType, ObjectTypeEntry>> = {
  secret: { reads: 'secret', toOutput: secretObject },
  'multi-key-value-secret': { reads: 'secret', toOutput: multiKeyValueObject },
  certificate: { reads: 'certificate', toOutput: unsupportedObject("object type 'certificate'") },
  key: { reads: 'key', toOutput: unsupportedObject("object type 'key'") },
};

/** One row per Key Vault object kind. */
export interface VaultObjectTypeEntry {
  /** The `objectType` of a notification about it (docs/adr/0001-notification-protocol.md). */
  readonly notificationType: 'Secret' | 'Certificate' | 'Key';
  /**
   * Which properties listing shows its `updated` time to the fallback check, or undefined when none is used yet.
   * A certificate is read as its backing secret (same name, same version and time), so the secrets listing serves it.
   */
  readonly listedAs: VaultObjectType | undefined;
}

export const VAULT_OBJECT_TYPES: Readonly<Record<VaultObjectType, VaultObjectTypeEntry>> = {
  secret: { notificationType: 'Secret', listedAs: 'secret' },
  certificate: { notificationType: 'Certificate', listedAs: 'secret' },
  key: { notificationType: 'Key', listedAs: undefined },
};

export const isVaultObjectType = (t: string | undefined): t is VaultObjectType => t !== undefined && Object.hasOwn(VAULT_OBJECT_TYPES, t);

/** The Key Vault object a (validated) spec reads. */
export function vaultObjectRefOf(spec: AkvsSpec): VaultObjectRef {
  return { vault: spec.vault.name.toLowerCase(), objectType: OBJECT_TYPES[spec.vault.object.type].reads, name: spec.vault.object.name };
}

const BY_NOTIFICATION_TYPE: ReadonlyMap<string, VaultObjectType> = new Map(
  (Object.keys(VAULT_OBJECT_TYPES) as VaultObjectType[]).map((t) => [VAULT_OBJECT_TYPES[t].notificationType, t]),
);

/** The Key Vault object kind of a notification's `objectType` (validated by parseNotificationBody). */
export function vaultObjectTypeOfNotification(notificationType: 'Secret' | 'Certificate' | 'Key'): VaultObjectType {
  return BY_NOTIFICATION_TYPE.get(notificationType) ?? 'secret';
}
