import { randomBytes } from 'node:crypto';
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { TerminalError, TransientError } from '../../core/errors.js';
import { DATA_HASH_KEY_MIN_BYTES } from '../../core/sync/data-hash.js';
import { isKubeConflict, isKubeNotFound, kubeError } from './kube-errors.js';

/** The Secret's data entry that holds the key (raw bytes). */
const KEY_ENTRY = 'key';
const NEW_KEY_BYTES = 32;

/** The two calls used, so a unit test can pass a fake. */
export type SecretReadCreateApi = Pick<CoreV1Api, 'readNamespacedSecret' | 'createNamespacedSecret'>;

export interface DataHashKeyRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The per-cluster data-hash key, held in the Secret `ref` (data entry `key`, raw bytes, at least 32): read it, or
 * create it with 32 random bytes when it is absent. Create-if-absent: if another replica created it first (409), its
 * key is read back, so replicas starting together agree. A Secret that exists without a usable key is a start-up
 * error (`DataHashKeyInvalid`) and is never replaced, since a new key changes every data hash. The Secret is created
 * immutable, so an edit cannot change the key behind the agent's back. Errors name the Secret, never the key.
 */
export async function getOrCreateDataHashKey(
  api: SecretReadCreateApi,
  ref: DataHashKeyRef,
  newKey: () => Uint8Array = () => new Uint8Array(randomBytes(NEW_KEY_BYTES)),
): Promise<{ key: Uint8Array; created: boolean }> {
  const existing = await readSecret(api, ref);
  if (existing) return { key: keyOf(existing, ref), created: false };
  const key = newKey();
  try {
    await api.createNamespacedSecret({
      namespace: ref.namespace,
      body: {
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          labels: { 'app.kubernetes.io/name': 'akvsync', 'app.kubernetes.io/component': 'data-hash-key' },
          annotations: { 'akvsync.io/purpose': 'HMAC key of akvsync.io/data-hash; replacing it changes every data hash once' },
        },
        type: 'Opaque',
        immutable: true,
        data: { [KEY_ENTRY]: Buffer.from(key).toString('base64') },
      },
    });
    return { key, created: true };
  } catch (error) {
    if (!isKubeConflict(error)) throw kubeError(error, `create Secret ${ref.namespace}/${ref.name}`);
  }
  const winner = await readSecret(api, ref);
  if (!winner) throw new TransientError('DataHashKeyUnavailable', `Secret ${ref.namespace}/${ref.name} existed on create (409) but not on the read after it`);
  return { key: keyOf(winner, ref), created: false };
}

async function readSecret(api: SecretReadCreateApi, ref: DataHashKeyRef): Promise<V1Secret | undefined> {
  try {
    return await api.readNamespacedSecret({ namespace: ref.namespace, name: ref.name });
  } catch (error) {
    if (isKubeNotFound(error)) return undefined;
    throw kubeError(error, `get Secret ${ref.namespace}/${ref.name}`);
  }
}

function keyOf(secret: V1Secret, ref: DataHashKeyRef): Uint8Array {
  const encoded = secret.data?.[KEY_ENTRY];
  const key = encoded === undefined ? undefined : new Uint8Array(Buffer.from(encoded, 'base64'));
  if (key !== undefined && key.byteLength >= DATA_HASH_KEY_MIN_BYTES) return key;
  const problem = key === undefined ? `has no data entry "${KEY_ENTRY}"` : `holds a ${key.byteLength}-byte "${KEY_ENTRY}"`;
  throw new TerminalError(
    'DataHashKeyInvalid',
    `data-hash key Secret ${ref.namespace}/${ref.name} ${problem}; at least ${DATA_HASH_KEY_MIN_BYTES} bytes are needed. ` +
      'The agent does not replace it (a new key changes every data hash): fix it, delete it so the agent creates a new one, or set AKVSYNC_DATA_HASH_KEY_FILE',
  );
}
