/**
 * The certificates of one emulated vault. Importing a version also writes the backing secret (same name and
 * version, `managed`, the PEM or PKCS#12 the policy asks for) and the backing key (its public JWK), as Key Vault does.
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
import { type CertificateRecord, newAttributes } from './object-records.js';
import { type SecretState, type StateDeps, checkObjectName } from './secret-state.js';
import { VersionedCollection } from './versioned-collection.js';

export interface CertificateImport {
  /** Private key and certificate(s) in PEM. Give this or `pfxBase64`. */
  pem?: string;
  pfxBase64?: string;
  /** Password of `pfxBase64` (default empty). */
  password?: string;
  /** Format of the backing secret; default: that of the input. */
  contentType?: CertificateContentType;
  tags?: Record<string, string>;
  enabled?: boolean;
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
    const existing = this.secrets.collection.get(name);
    if (existing && !existing.record.managed) throw new KvError(409, 'Conflict', `A secret named ${existing.name} exists and is not backed by a certificate.`);
    const material = input.pem !== undefined ? materialFromPem(input.pem) : materialFromPfx(input.pfxBase64 ?? '', input.password);
    const contentType = input.contentType ?? (input.pem !== undefined ? PEM_CONTENT_TYPE : PKCS12_CONTENT_TYPE);
    const facts = certificateFacts(material);
    const version = this.deps.newVersionId();
    const attributes = { enabled: input.enabled, nbf: facts.nbf, exp: facts.exp };
    const value = secretValue(material, contentType);
    this.secrets.set(name, { value, contentType, tags: input.tags, ...attributes }, { managed: true, version });
    this.keys.add(name, facts.publicJwk, { tags: input.tags, ...attributes }, { managed: true, version });
    const record: CertificateRecord = {
      version,
      cerDer: facts.cerDer,
      x5t: facts.x5t,
      contentType,
      tags: input.tags,
      attributes: newAttributes(attributes, this.deps.nowSeconds()),
    };
    const entry = this.collection.add(name, record);
    this.deps.onNewVersion({ objectType: 'Certificate', name: entry.name, version, nbf: facts.nbf, exp: facts.exp });
    return { name: entry.name, record };
  }

  get(name: string, version?: string): { name: string; record: CertificateRecord } {
    checkObjectName(name);
    const found = this.collection.get(name, version);
    if (!found) throw notFound('Certificate', name, version);
    return found;
  }
}
