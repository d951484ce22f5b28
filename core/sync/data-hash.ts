import { createHash, createHmac } from 'node:crypto';

/** The shortest data-hash key the agent accepts (from a file or from its key Secret). */
export const DATA_HASH_KEY_MIN_BYTES = 32;

/** Domain separation, so a data hash can never equal some other sha256 the project computes. */
const DOMAIN = 'akvsync.io/data-hash/v1\n';

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * The hash of a Secret's/ConfigMap's data: sha256 (HMAC-SHA256 when `hashKey` is given) over the entries in sorted
 * key order, each key and value length-prefixed, so `{a: "bc"}` and `{ab: "c"}` differ. Hex.
 *
 * The hash lands in the CR status and in pod-template annotations, which more people can read than the Secret.
 * An unkeyed hash of a low-entropy value (a short password) can be brute-forced offline, so the agent always passes
 * a per-cluster `hashKey`, from a file or from a Secret it creates in its own namespace (docs/agent.md). Changing
 * the key changes every hash, i.e. rewrites every output once.
 */
/** A short fingerprint of a data-hash key (the keyed hash of no data): says which key made a recorded hash, reveals nothing. */
export function dataHashKeyId(hashKey: Uint8Array): string {
  return dataHash({}, hashKey).slice(0, 16);
}

export function dataHash(data: Readonly<Record<string, Uint8Array>>, hashKey?: Uint8Array): string {
  const h = hashKey === undefined ? createHash('sha256') : createHmac('sha256', hashKey);
  h.update(DOMAIN);
  const keys = Object.keys(data).sort();
  h.update(uint32(keys.length));
  for (const key of keys) {
    const k = Buffer.from(key, 'utf8');
    const v = data[key] as Uint8Array;
    h.update(uint32(k.length)).update(k).update(uint32(v.length)).update(v);
  }
  return h.digest('hex');
}
