import { createHash } from 'node:crypto';

const HASH_CHARS = 12;

/**
 * `name` if it fits in `max` characters, else its first characters, a dash and 12 hex characters of its sha256: a
 * deterministic name that always fits and never collides with another cut name (Kubernetes limits annotation and
 * label name parts to 63 characters, field managers to 128). `hashOf` is what the hash is taken over (default: name).
 */
export function boundedName(name: string, max: number, hashOf: string = name): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(hashOf).digest('hex').slice(0, HASH_CHARS);
  return `${name.slice(0, max - HASH_CHARS - 1)}-${hash}`;
}
