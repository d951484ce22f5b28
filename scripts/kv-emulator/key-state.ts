/** The keys of one emulated vault. Only the public JWK is kept: the emulator performs no key operations. */
import { generateKeyPairSync } from 'node:crypto';
import { badParameter, disabled, notFound } from './kv-error.js';
import { type AttributeInput, type KeyRecord, newAttributes, patchAttributes } from './object-records.js';
import { type StateDeps, checkObjectName } from './secret-state.js';
import { VersionedCollection, type VersionedObject } from './versioned-collection.js';

export type KeyCurve = 'P-256' | 'P-384' | 'P-521' | 'P-256K';

export interface KeyCreate extends AttributeInput {
  kty: 'RSA' | 'EC';
  /** RSA modulus bits: 2048 (default), 3072 or 4096. */
  size?: number;
  /** EC curve (default P-256). */
  curve?: KeyCurve;
  tags?: Record<string, string>;
}

export interface KeyPatch extends AttributeInput {
  tags?: Record<string, string> | undefined;
}

const NODE_CURVES: Readonly<Record<KeyCurve, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', 'P-256K': 'secp256k1' };

export class KeyState {
  readonly collection = new VersionedCollection<KeyRecord>();

  constructor(private readonly deps: StateDeps) {}

  create(name: string, input: KeyCreate): { name: string; record: KeyRecord } {
    checkObjectName(name);
    const { publicKey } = input.kty === 'RSA' ? generateKeyPairSync('rsa', { modulusLength: rsaSize(input.size) }) : generateKeyPairSync('ec', { namedCurve: NODE_CURVES[ecCurve(input.curve)] });
    const jwk = Object.fromEntries(
      Object.entries(publicKey.export({ format: 'jwk' })).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    // Key Vault names secp256k1 `P-256K`.
    if (jwk.crv === 'secp256k1') jwk.crv = 'P-256K';
    return this.add(name, jwk, input, { managed: false });
  }

  /** A version with the given public JWK; `managed` keys back a certificate and emit no key event. */
  add(name: string, jwk: Record<string, string>, input: AttributeInput & { tags?: Record<string, string> | undefined }, options: { managed: boolean; version?: string }): { name: string; record: KeyRecord } {
    checkObjectName(name);
    const record: KeyRecord = {
      version: options.version ?? this.deps.newVersionId(),
      jwk,
      tags: input.tags,
      attributes: newAttributes(input, this.deps.nowSeconds()),
      managed: options.managed,
    };
    const entry = this.collection.add(name, record);
    if (!options.managed) this.deps.onNewVersion({ objectType: 'Key', name: entry.name, version: record.version, nbf: record.attributes.nbf, exp: record.attributes.exp });
    return { name: entry.name, record };
  }

  /** A readable version: 404 when absent, 403 KeyDisabled when disabled. */
  get(name: string, version?: string): { name: string; record: KeyRecord } {
    const found = this.properties(name, version);
    if (!found.record.attributes.enabled) throw disabled('Key');
    return found;
  }

  /** A version whatever its state (for PATCH). */
  properties(name: string, version?: string): { name: string; record: KeyRecord } {
    checkObjectName(name);
    const found = this.collection.get(name, version);
    if (!found) throw notFound('Key', name, version);
    return found;
  }

  versions(name: string): VersionedObject<KeyRecord> {
    checkObjectName(name);
    const entry = this.collection.find(name);
    if (!entry) throw notFound('Key', name);
    return entry;
  }

  list(): VersionedObject<KeyRecord>[] {
    return this.collection.list();
  }

  /** PATCH: attributes and tags of a version (latest when absent). No event, as in Azure. */
  update(name: string, version: string | undefined, patch: KeyPatch): { name: string; record: KeyRecord } {
    const found = this.properties(name, version);
    if (patch.tags !== undefined) found.record.tags = patch.tags;
    patchAttributes(found.record.attributes, patch, this.deps.nowSeconds());
    return found;
  }
}

function rsaSize(size: number | undefined): number {
  if (size === undefined) return 2048;
  if (![2048, 3072, 4096].includes(size)) throw badParameter('The RSA key size must be 2048, 3072 or 4096.');
  return size;
}

function ecCurve(curve: string | undefined): KeyCurve {
  if (curve === undefined) return 'P-256';
  if (!Object.hasOwn(NODE_CURVES, curve)) throw badParameter('The curve must be P-256, P-384, P-521 or P-256K.');
  return curve as KeyCurve;
}
