import { createHash } from 'node:crypto';
import { RESTART_ANNOTATION_PREFIX } from '../crd/annotations.js';

/** Kubernetes limit on the name part of an annotation key. */
const NAME_PART_MAX = 63;
const HASH_CHARS = 12;

/**
 * The pod-template annotation a restart for one source object writes, e.g. `restart.akvsync.io/secret-db-creds`.
 * Deterministic per (kind, name) and always a valid annotation key: names too long for the 63-character name part
 * are cut and suffixed with a hash of the full name, so two long names never share a key.
 */
export function restartAnnotationKey(kind: 'Secret' | 'ConfigMap', name: string): string {
  const prefix = kind === 'Secret' ? 'secret-' : 'configmap-';
  let namePart = prefix + name;
  if (namePart.length > NAME_PART_MAX) {
    const hash = createHash('sha256').update(`${kind}/${name}`).digest('hex').slice(0, HASH_CHARS);
    namePart = `${namePart.slice(0, NAME_PART_MAX - HASH_CHARS - 1)}-${hash}`;
  }
  return RESTART_ANNOTATION_PREFIX + namePart;
}
