/**
 * Registered clusters' signing keys, read from Key Vault with the Function's identity (the secret
 * `akvsync-signing-<cluster>` that `npm run onboard` writes, key id in the version's `akvsync-key-id` tag:
 * core/registry/signing-key-secret.ts) and cached per cluster for `ttlMs`, so adding or rotating a cluster needs no
 * redeploy: a new cluster's key is read on its first use, a rotation is picked up within the TTL.
 *
 * - `current(cluster)`: the key to sign with — the secret's current version. A fresh cache entry is answered
 *   synchronously (the hot path costs no promise); a miss or an expired entry is one read, shared by concurrent callers.
 * - `withId(cluster, keyId)`: a key a cluster may sign its registration with — the current version, or an older
 *   enabled version with that key id (rotation with overlap: the agent may still sign with the previous key). The
 *   version listing is cached too, and re-listed on a miss at most every 30 s, so forged key ids cannot hammer Key Vault.
 *
 * Failures are never silent and never cached: 401/403 → TransientError `SigningKeyVaultDenied` (the Function's
 * identity lacks `get`/`list`: an operator must act), a secret whose value or tag is not a signing key →
 * `SigningKeyInvalid` (same), network/429/5xx → `SigningKeyUnavailable`; each sends the delivery to the retry path
 * (functions/delivery-disposition.ts) or answers a registration 503. A missing secret means the cluster has no key.
 * Errors name the secret and the status, never key material.
 */
import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets';
import { TransientError } from '../../core/errors.js';
import { decodeKeyMaterial } from '../../core/notification/key-material.js';
import { KEY_ID_PATTERN, MIN_KEY_BYTES, type SigningKey } from '../../core/notification/signature.js';
import type { Clock } from '../../core/ports/clock.js';
import { KEY_ID_TAG, signingKeySecretName } from '../../core/registry/signing-key-secret.js';
import { hiddenKey } from '../cluster-config.js';

export type SigningKeySecrets = Pick<SecretClient, 'getSecret' | 'listPropertiesOfSecretVersions'>;

export interface KeyVaultSigningKeysOptions {
  readonly secrets: SigningKeySecrets;
  readonly clock: Clock;
  readonly ttlMs: number;
}

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

/** Unknown clusters remembered at most this many at a time (names from unauthenticated requests). */
const MAX_ABSENT = 10_000;
const RELIST_AFTER_MS = 30_000;

export class KeyVaultSigningKeys {
  readonly #o: KeyVaultSigningKeysOptions;
  readonly #current = new Map<string, Cached<SigningKey | undefined>>();
  readonly #loading = new Map<string, Promise<SigningKey | undefined>>();
  /** cluster → key id → version id of its enabled versions, and when it was listed. */
  readonly #versions = new Map<string, Cached<ReadonlyMap<string, string>> & { listedAt: number }>();
  /** `<cluster>\n<version>` → key; a version's value never changes. */
  readonly #older = new Map<string, SigningKey>();
  #absent = 0;

  constructor(options: KeyVaultSigningKeysOptions) {
    this.#o = options;
  }

  current(cluster: string): SigningKey | undefined | Promise<SigningKey | undefined> {
    const hit = this.#current.get(cluster);
    if (hit && hit.until > this.#o.clock.now()) return hit.value;
    let loading = this.#loading.get(cluster);
    if (!loading) {
      loading = this.#load(cluster).finally(() => this.#loading.delete(cluster));
      this.#loading.set(cluster, loading);
    }
    return loading;
  }

  async withId(cluster: string, keyId: string): Promise<SigningKey | undefined> {
    const current = await this.current(cluster);
    if (!current) return undefined;
    if (current.keyId === keyId) return current;
    const now = this.#o.clock.now();
    let listed = this.#versions.get(cluster);
    if (!listed || listed.until <= now || (!listed.value.has(keyId) && now - listed.listedAt >= Math.min(RELIST_AFTER_MS, this.#o.ttlMs))) {
      listed = { value: await this.#listVersions(cluster), until: now + this.#o.ttlMs, listedAt: now };
      this.#versions.set(cluster, listed);
    }
    const version = listed.value.get(keyId);
    if (version === undefined) return undefined;
    const cacheKey = `${cluster}\n${version}`;
    const known = this.#older.get(cacheKey);
    if (known) return known;
    const key = toSigningKey(await this.#read(cluster, version), cluster);
    if (key?.keyId !== keyId) return undefined;
    this.#older.set(cacheKey, key);
    return key;
  }

  async #load(cluster: string): Promise<SigningKey | undefined> {
    const key = toSigningKey(await this.#read(cluster, undefined), cluster);
    if (key === undefined && ++this.#absent > MAX_ABSENT) this.#forgetAbsent();
    this.#current.set(cluster, { value: key, until: this.#o.clock.now() + this.#o.ttlMs });
    return key;
  }

  async #read(cluster: string, version: string | undefined): Promise<KeyVaultSecret | undefined> {
    const name = signingKeySecretName(cluster);
    if (name === undefined) return undefined;
    try {
      return await this.#o.secrets.getSecret(name, version === undefined ? {} : { version });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw keyVaultFailure(name, 'read', error);
    }
  }

  async #listVersions(cluster: string): Promise<Map<string, string>> {
    const name = signingKeySecretName(cluster);
    const byKeyId = new Map<string, string>();
    if (name === undefined) return byKeyId;
    try {
      for await (const p of this.#o.secrets.listPropertiesOfSecretVersions(name)) {
        const keyId = p.tags?.[KEY_ID_TAG];
        const usable = p.enabled !== false && (p.expiresOn === undefined || p.expiresOn.getTime() > this.#o.clock.now());
        if (keyId !== undefined && p.version !== undefined && usable) byKeyId.set(keyId, p.version);
      }
    } catch (error) {
      if (statusOf(error) !== 404) throw keyVaultFailure(name, 'list the versions of', error);
    }
    return byKeyId;
  }

  #forgetAbsent(): void {
    for (const [cluster, cached] of this.#current) if (cached.value === undefined) this.#current.delete(cluster);
    this.#absent = 0;
  }
}

function toSigningKey(secret: KeyVaultSecret | undefined, cluster: string): SigningKey | undefined {
  if (!secret) return undefined;
  const where = `Key Vault secret ${secret.name} (version ${secret.properties.version ?? '?'}) of cluster "${cluster}"`;
  if (secret.properties.enabled === false) return undefined;
  const keyId = secret.properties.tags?.[KEY_ID_TAG];
  if (keyId === undefined || !KEY_ID_PATTERN.test(keyId)) {
    throw new TransientError('SigningKeyInvalid', `${where}: tag ${KEY_ID_TAG} must hold the key id (${KEY_ID_PATTERN}); store keys with npm run onboard`);
  }
  const key = decodeKeyMaterial(secret.value ?? '');
  if (key === undefined || key.byteLength < MIN_KEY_BYTES) {
    throw new TransientError('SigningKeyInvalid', `${where}: the value must be the base64 of at least ${MIN_KEY_BYTES} random bytes`);
  }
  return hiddenKey(keyId, key);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function keyVaultFailure(secretName: string, what: string, error: unknown): TransientError {
  const status = statusOf(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = `${status ?? 'no answer'}${typeof code === 'string' ? ` ${code.slice(0, 60)}` : ''}`;
  if (status === 401 || status === 403) {
    return new TransientError('SigningKeyVaultDenied', `Key Vault refused to ${what} ${secretName} (${detail}): grant the Function's identity get and list on secrets (Key Vault Secrets User)`);
  }
  return new TransientError('SigningKeyUnavailable', `could not ${what} ${secretName} in Key Vault (${detail}); retried`);
}
