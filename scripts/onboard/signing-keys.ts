/**
 * Onboarding a cluster and rotating its notification signing key with overlap (ADR 0001): the key lives in Key
 * Vault (secret `akvsync-signing-<cluster>`, each version tagged with its key id), and in the cluster's keyring
 * Secret, which may hold several keys — every one verifies, so the agent accepts the old and the new key while
 * the Function switches. Key material is never printed, logged or returned: only key ids.
 *
 * Order, so that no notification is ever refused: the keyring gets the new key first, Key Vault second; an old
 * key leaves the keyring only when Key Vault's current version is another key.
 */
import { randomBytes } from 'node:crypto';
import { parseKeyring } from '../../core/notification/keyring.js';
import { KEY_ID_PATTERN, MIN_KEY_BYTES } from '../../core/notification/signature.js';
import { signingKeySecretName as keyVaultSecretName } from '../../core/registry/signing-key-secret.js';

/** The keyring Secret: key id → base64 key. */
export interface KeyringStore {
  read(): Promise<{ keys: Map<string, string>; resourceVersion: string | undefined } | undefined>;
  /** Creates the Secret when `resourceVersion` is undefined, else replaces exactly that version. */
  write(keys: ReadonlyMap<string, string>, resourceVersion: string | undefined): Promise<void>;
  readonly description: string;
}

/** The cluster's signing-key secret in Key Vault. */
export interface SigningKeyVault {
  /** Stores a new version; returns its version id. */
  store(secretName: string, keyBase64: string, keyId: string): Promise<string>;
  /** The key id tagged on the current version, or undefined when the secret does not exist. */
  currentKeyId(secretName: string): Promise<string | undefined>;
}

export interface QueueCreator {
  /** Creates the queue if absent; true when it was created now. */
  createIfAbsent(name: string): Promise<boolean>;
}

export class OnboardingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnboardingError';
  }
}

/** Lower-case DNS label: usable in Key Vault secret names, queue names and app setting names alike. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;
const MAX_KEYRING_KEYS = 16;
export function signingKeySecretName(cluster: string): string {
  const name = keyVaultSecretName(cluster);
  if (name === undefined) throw new OnboardingError(`--cluster: "${cluster.slice(0, 64)}" cannot name a Key Vault secret`);
  return name;
}
export const clusterQueueName = (cluster: string): string => `akvsync-${cluster}`;
export const signingKeySetting = (cluster: string): string => `AKVSYNC_KEY_${cluster.toUpperCase().replace(/-/g, '_')}`;

export interface AddKeyResult {
  readonly cluster: string;
  readonly keyId: string;
  readonly keyVaultSecret: { readonly name: string; readonly version: string };
  readonly keyring: { readonly secret: string; readonly keyIds: readonly string[] };
  readonly queue: { readonly name: string; readonly created: boolean } | undefined;
  /** The AKVSYNC_CLUSTERS fields that change (docs/functions.md). */
  readonly functionSettings: { readonly keyId: string; readonly signingKeySetting: string };
  readonly previousKeyIds: readonly string[];
}

export interface AddKeyDependencies {
  readonly keyring: KeyringStore;
  readonly vault: SigningKeyVault;
  readonly queues?: QueueCreator;
  readonly now: () => Date;
  readonly random?: (bytes: number) => Buffer;
}

export function checkClusterName(cluster: string): void {
  if (!CLUSTER_NAME.test(cluster)) throw new OnboardingError(`--cluster: "${cluster.slice(0, 64)}" must be a lower-case DNS label of at most 40 characters (it names the Key Vault secret, the queue and the app setting)`);
}

/** First key of a cluster, or the next key of a rotation (kept beside the current ones). */
export async function addSigningKey(cluster: string, deps: AddKeyDependencies): Promise<AddKeyResult> {
  checkClusterName(cluster);
  const existing = await readKeyring(deps.keyring);
  if (existing.keys.size >= MAX_KEYRING_KEYS) throw new OnboardingError(`the keyring ${deps.keyring.description} already holds ${existing.keys.size} keys: retire one first (--retire <keyId>)`);
  const keyId = `${cluster}-${deps.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').toLowerCase()}`;
  if (!KEY_ID_PATTERN.test(keyId)) throw new OnboardingError(`key id ${keyId} does not match ${KEY_ID_PATTERN}`);
  if (existing.keys.has(keyId)) throw new OnboardingError(`key id ${keyId} is already in the keyring: wait a second and run again`);
  const key = (deps.random ?? randomBytes)(MIN_KEY_BYTES).toString('base64');
  const keys = new Map(existing.keys).set(keyId, key);
  parseKeyring(JSON.stringify(Object.fromEntries(keys)));
  await deps.keyring.write(keys, existing.resourceVersion);
  const secretName = signingKeySecretName(cluster);
  const version = await deps.vault.store(secretName, key, keyId);
  const queue = deps.queues ? { name: clusterQueueName(cluster), created: await deps.queues.createIfAbsent(clusterQueueName(cluster)) } : undefined;
  return {
    cluster,
    keyId,
    keyVaultSecret: { name: secretName, version },
    keyring: { secret: deps.keyring.description, keyIds: [...keys.keys()] },
    queue,
    functionSettings: { keyId, signingKeySetting: signingKeySetting(cluster) },
    previousKeyIds: [...existing.keys.keys()],
  };
}

/** Removes an old key from the keyring once Key Vault's current version is another key. */
export async function retireSigningKey(cluster: string, keyId: string, deps: { keyring: KeyringStore; vault: SigningKeyVault }): Promise<{ keyring: { secret: string; keyIds: readonly string[] } }> {
  checkClusterName(cluster);
  const existing = await readKeyring(deps.keyring);
  if (!existing.keys.has(keyId)) throw new OnboardingError(`key id ${keyId.slice(0, 64)} is not in the keyring ${deps.keyring.description} (it holds ${[...existing.keys.keys()].join(', ') || 'nothing'})`);
  const current = await deps.vault.currentKeyId(signingKeySecretName(cluster));
  if (current === keyId) throw new OnboardingError(`key id ${keyId} is the current version of ${signingKeySecretName(cluster)} in Key Vault: the Function still signs with it; add a new key first`);
  if (existing.keys.size === 1) throw new OnboardingError(`key id ${keyId} is the keyring's only key`);
  const keys = new Map(existing.keys);
  keys.delete(keyId);
  await deps.keyring.write(keys, existing.resourceVersion);
  return { keyring: { secret: deps.keyring.description, keyIds: [...keys.keys()] } };
}

async function readKeyring(store: KeyringStore): Promise<{ keys: Map<string, string>; resourceVersion: string | undefined }> {
  const found = await store.read();
  if (!found) return { keys: new Map(), resourceVersion: undefined };
  if (found.keys.size > 0) parseKeyring(JSON.stringify(Object.fromEntries(found.keys)));
  return found;
}
