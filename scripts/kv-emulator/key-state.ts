/** The keys of one emulated vault. Only the public JWK is kept: the emulator performs no key operations. */
import { generateKeyPairSync } from 'node:crypto';
import { disabled, notFound } from './kv-error.js';
import { type AttributeInput, type KeyRecord, newAttributes } from './object-records.js';
import { type StateDeps, checkObjectName } from './secret-state.js';
import { VersionedCollection } from './versioned-collection.js';

export interface KeyCreate extends AttributeInput {
  kty: 'RSA' | 'EC';
  /** RSA modulus bits (default 2048). */
  size?: number;
  /** EC curve (default P-256). */
  curve?: 'P-256' | 'P-384' | 'P-521';
  tags?: Record<string, string>;
}

export class KeyState {
  readonly collection = new VersionedCollection<KeyRecord>();

  constructor(private readonly deps: StateDeps) {}

  create(name: string, input: KeyCreate): { name: string; record: KeyRecord } {
    const { publicKey } =
      input.kty === 'RSA'
        ? generateKeyPairSync('rsa', { modulusLength: input.size ?? 2048 })
        : generateKeyPairSync('ec', { namedCurve: input.curve ?? 'P-256' });
    const jwk = Object.fromEntries(
      Object.entries(publicKey.export({ format: 'jwk' })).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
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

  get(name: string, version?: string): { name: string; record: KeyRecord } {
    checkObjectName(name);
    const found = this.collection.get(name, version);
    if (!found) throw notFound('Key', name, version);
    if (!found.record.attributes.enabled) throw disabled('Key');
    return found;
  }
}
