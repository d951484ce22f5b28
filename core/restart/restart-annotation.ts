import type { OutputKind } from '../crd/output-kind.js';
import { RESTART_ANNOTATION_PREFIX } from '../crd/annotations.js';
import { boundedName } from '../crd/bounded-name.js';

/** Kubernetes limit on the name part of an annotation key. */
const NAME_PART_MAX = 63;

/**
 * The pod-template annotation a restart for one source object writes, e.g. `restart.akvsync.io/secret-db-creds`.
 * Deterministic per (kind, name) and always a valid annotation key: names too long for the 63-character name part
 * are cut and suffixed with a hash of the full name, so two long names never share a key.
 */
export function restartAnnotationKey(kind: OutputKind, name: string): string {
  const prefix = kind === 'Secret' ? 'secret-' : 'configmap-';
  return RESTART_ANNOTATION_PREFIX + boundedName(prefix + name, NAME_PART_MAX, `${kind}/${name}`);
}
