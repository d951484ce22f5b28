/**
 * The certificates of one emulated vault. Importing a version also writes the backing secret (same name and
 * version, `managed`, the PEM or PKCS#12 the policy asks for, without the private key when the policy says it is
 * not exportable) and the backing key (its public JWK), as Key Vault does. Only the certificate emits an event.
 */
import {
  type CertificateContentType,
  PEM_CONTENT_TYPE,
  PKCS12_CONTENT_TYPE,
  certificateFacts,
  materialFromPem,
  materialFromPfx,
  secretValue,
} from './certificate-material.js';
import { KvError, badParameter, notFound } from './kv-error.js';
import type { KeyState } from './key-state.js';
import { type AttributeInput, type CertificatePolicy, type CertificateRecord, newAttributes, patchAttributes } from './object-records.js';
import { type SecretState, type StateDeps, checkObjectName } from './secret-state.js';
import { VersionedCollection, type VersionedObject } from './versioned-collection.js';

export interface CertificateImport {
  /** Private key and certificate(s) in PEM, any order, RSA or EC. Give this or `pfxBase64`. */
  pem?: string;
  pfxBase64?: string;
  /** Password of `pfxBase64` (default empty). */
  password?: string;
  /** Format of the backing secret (the policy's `secret_props.contentType`); default: that of the input. */
  contentType?: CertificateContentType;
  /** The policy's `key_props.exportable` (default true). */
  exportable?: boolean;
  tags?: Record<string, string>;
  enabled?: boolean;
}

export interface CertificatePatch {
  enabled?: boolean;
  tags?: Record<string, string>;
}

export class CertificateState {
  readonly collection = new VersionedCollection<CertificateRecord>();

  constructor(
    private readonly deps: StateDeps,
    private readonly secrets: SecretState,
    private readonly keys: KeyState,
  ) {}

  import(name: string, input: CertificateImport): { name: string; record: CertificateRecord } {
    checkObjectName(name);
    if ((input.pem === undefined) === (input.pfxBase64 === undefined)) throw badParameter('Give exactly one of pem or pfxBase64.');
    if (input.contentType !== undefined && input.contentType !== PEM_CONTENT_TYPE && input.contentType !== PKCS12_CONTENT_TYPE) {
      throw badParameter(`The content type must be ${PEM_CONTENT_TYPE} or ${PKCS12_CONTENT_TYPE}.`);
    }
    const existing = this.secrets.collection.get(name);
    if (existing && !existing.record.managed) throw new KvError(409, 'Conflict', `A secret named ${existing.name} exists and is not backed by a certificate.`);
    const material = input.pem !== undefined ? materialFromPem(input.pem) : materialFromPfx(input.pfxBase64 ?? '', input.password);
    const contentType = input.contentType ?? (input.pem !== undefined ? PEM_CONTENT_TYPE : PKCS12_CONTENT_TYPE);
    const facts = certificateFacts(material);
    const policy: CertificatePolicy = {
      exportable: input.exportable ?? true,
      contentType,
      keyType: facts.keyType,
      keySize: facts.keySize,
      curve: facts.curve,
      subject: material.chain[0]?.subject.replace(/\n/g, ', ') ?? '',
    };
    const version = this.deps.newVersionId();
    const attributes = { enabled: input.enabled, nbf: facts.nbf, exp: facts.exp };
    const value = secretValue(material, contentType, policy.exportable);
    this.secrets.set(name, { value, contentType, tags: input.tags, ...attributes }, { managed: true, version });
    this.keys.add(name, facts.publicJwk, { tags: input.tags, ...attributes }, { managed: true, version });
    const record: CertificateRecord = {
      version,
      cerDer: facts.cerDer,
      x5t: facts.x5t,
      policy,
      tags: input.tags,
      attributes: newAttributes(attributes, this.deps.nowSeconds()),
    };
    const entry = this.collection.add(name, record);
    this.deps.onNewVersion({ objectType: 'Certificate', name: entry.name, version, nbf: facts.nbf, exp: facts.exp });
    return { name: entry.name, record };
  }

  /** A version whatever its state: Key Vault serves a disabled certificate's metadata (its secret is what refuses). */
  get(name: string, version?: string): { name: string; record: CertificateRecord } {
    checkObjectName(name);
    const found = this.collection.get(name, version);
    if (!found) throw notFound('Certificate', name, version);
    return found;
  }

  versions(name: string): VersionedObject<CertificateRecord> {
    checkObjectName(name);
    const entry = this.collection.find(name);
    if (!entry) throw notFound('Certificate', name);
    return entry;
  }

  list(): VersionedObject<CertificateRecord>[] {
    return this.collection.list();
  }

  /** PATCH of a version (latest when `version` is absent); `enabled` and `tags` reach its secret and key too, as in Azure. No event. */
  update(name: string, version: string | undefined, patch: CertificatePatch): { name: string; record: CertificateRecord } {
    const found = this.get(name, version);
    const attributes: AttributeInput = { enabled: patch.enabled };
    const now = this.deps.nowSeconds();
    if (patch.tags !== undefined) found.record.tags = patch.tags;
    patchAttributes(found.record.attributes, attributes, now);
    for (const backing of [this.secrets.collection.get(name, found.record.version), this.keys.collection.get(name, found.record.version)]) {
      if (!backing) continue;
      if (patch.tags !== undefined) backing.record.tags = patch.tags;
      patchAttributes(backing.record.attributes, attributes, now);
    }
    return found;
  }
}
