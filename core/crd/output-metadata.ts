import { boundedName } from './bounded-name.js';

/**
 * Per-CR names in the metadata of a Secret/ConfigMap, so several AzureKeyVaultSecrets can write one output without
 * taking fields from each other (docs/adr/0002-shared-outputs.md): each CR applies with a field manager of its own,
 * records its Key Vault version under an annotation of its own, and labels the output with the vault object it reads.
 */

const FIELD_MANAGER_PREFIX = 'akvsync/';
/** Kubernetes limit on a field manager's name. */
const FIELD_MANAGER_MAX = 128;
/** Kubernetes limit on the name part of an annotation or label key. */
const NAME_PART_MAX = 63;

/** The server-side-apply field manager of one CR's writes, e.g. `akvsync/db-password`. */
export function fieldManagerFor(crName: string): string {
  return FIELD_MANAGER_PREFIX + boundedName(crName, FIELD_MANAGER_MAX - FIELD_MANAGER_PREFIX.length);
}

/** Whether a field manager is one of akvsync's per-CR managers. */
export function isAkvsyncFieldManager(manager: string): boolean {
  return manager.startsWith(FIELD_MANAGER_PREFIX);
}

/** The CR a per-CR field manager stands for (cut like the manager when the name was long). */
export function crNameOfFieldManager(manager: string): string {
  return manager.slice(FIELD_MANAGER_PREFIX.length);
}

/** The annotation holding the Key Vault version one CR wrote, e.g. `synced-version.akvsync.io/db-password`. */
export function syncedVersionAnnotation(crName: string): string {
  return `synced-version.akvsync.io/${boundedName(crName, NAME_PART_MAX)}`;
}

/** The label naming one vault object an output is written from (`digest`: 40 hex characters of its key). */
export function sourceLabel(digest: string): string {
  return `source.akvsync.io/${digest}`;
}

/**
 * The finalizer on a CR whose output the agent must clean up when the CR goes (deletionPolicy Delete): its keys
 * removed from a shared output, or the output deleted when it was the only writer (docs/adr/0004-output-lifecycle.md).
 */
export const OUTPUT_FINALIZER = 'akvsync.io/output-cleanup';
/** The field manager that applies only that finalizer, so no other finalizer of the CR is ever touched. */
export const FINALIZER_FIELD_MANAGER = 'akvsync-finalizer';
