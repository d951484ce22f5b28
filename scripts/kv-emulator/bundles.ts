/**
 * Response bodies shaped like Key Vault's (SecretBundle, SecretItem, DeletedSecretBundle, KeyBundle, KeyItem,
 * CertificateBundle, CertificateItem, CertificatePolicy). Ids use the listener's base URL so that clients can follow them.
 */
import type { CertificateRecord, KeyRecord, ObjectAttributes, SecretRecord } from './object-records.js';
import type { DeletedSecret } from './secret-state.js';

type Json = Record<string, unknown>;

const RECOVERY = { recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 } as const;

export function attributesJson(a: ObjectAttributes): Json {
  return {
    enabled: a.enabled,
    ...(a.nbf !== undefined ? { nbf: a.nbf } : {}),
    ...(a.exp !== undefined ? { exp: a.exp } : {}),
    created: a.created,
    updated: a.updated,
    ...RECOVERY,
  };
}

function secretProperties(base: string, name: string, record: SecretRecord, withVersion: boolean): Json {
  return {
    id: withVersion ? `${base}/secrets/${name}/${record.version}` : `${base}/secrets/${name}`,
    attributes: attributesJson(record.attributes),
    ...(record.contentType !== undefined ? { contentType: record.contentType } : {}),
    ...(record.tags !== undefined ? { tags: record.tags } : {}),
    ...(record.managed ? { managed: true } : {}),
  };
}

/** GET/PUT/PATCH answer. `value` is left out for PATCH, as Key Vault does. */
export function secretBundle(base: string, name: string, record: SecretRecord, options: { withValue: boolean; value?: string; contentType?: string }): Json {
  const props = secretProperties(base, name, record, true);
  return {
    ...(options.withValue ? { value: options.value ?? record.value } : {}),
    ...props,
    ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
    ...(record.managed ? { kid: `${base}/keys/${name}/${record.version}` } : {}),
  };
}

/** An item of `GET /secrets` (no version in the id) or of `GET /secrets/{name}/versions` (with it). */
export function secretItem(base: string, name: string, record: SecretRecord, withVersion: boolean): Json {
  return secretProperties(base, name, record, withVersion);
}

export function deletedSecretBundle(base: string, deleted: DeletedSecret): Json {
  const latest = deleted.entry.versions[deleted.entry.versions.length - 1];
  const name = deleted.entry.name;
  return {
    recoveryId: `${base}/deletedsecrets/${name}`,
    deletedDate: deleted.deletedDate,
    scheduledPurgeDate: deleted.scheduledPurgeDate,
    ...(latest ? secretProperties(base, name, latest, true) : { id: `${base}/secrets/${name}` }),
  };
}

function keyOps(record: KeyRecord): string[] {
  return record.jwk.kty === 'RSA' ? ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] : ['sign', 'verify'];
}

export function keyBundle(base: string, name: string, record: KeyRecord): Json {
  return {
    key: { kid: `${base}/keys/${name}/${record.version}`, key_ops: keyOps(record), ...record.jwk },
    attributes: attributesJson(record.attributes),
    ...(record.tags !== undefined ? { tags: record.tags } : {}),
    ...(record.managed ? { managed: true } : {}),
  };
}

/** An item of `GET /keys` (no version in the kid) or of `GET /keys/{name}/versions` (with it). */
export function keyItem(base: string, name: string, record: KeyRecord, withVersion: boolean): Json {
  return {
    kid: withVersion ? `${base}/keys/${name}/${record.version}` : `${base}/keys/${name}`,
    attributes: attributesJson(record.attributes),
    ...(record.tags !== undefined ? { tags: record.tags } : {}),
    ...(record.managed ? { managed: true } : {}),
  };
}

export function certificatePolicyJson(base: string, name: string, record: CertificateRecord): Json {
  const { policy } = record;
  return {
    id: `${base}/certificates/${name}/policy`,
    key_props: {
      exportable: policy.exportable,
      kty: policy.keyType,
      ...(policy.keySize !== undefined ? { key_size: policy.keySize } : {}),
      ...(policy.curve !== undefined ? { crv: policy.curve } : {}),
      reuse_key: false,
    },
    secret_props: { contentType: policy.contentType },
    x509_props: { subject: policy.subject },
    issuer: { name: 'Unknown' },
    attributes: { enabled: true, created: record.attributes.created, updated: record.attributes.updated },
  };
}

export function certificateBundle(base: string, name: string, record: CertificateRecord): Json {
  return {
    id: `${base}/certificates/${name}/${record.version}`,
    kid: `${base}/keys/${name}/${record.version}`,
    sid: `${base}/secrets/${name}/${record.version}`,
    x5t: record.x5t,
    cer: record.cerDer.toString('base64'),
    attributes: attributesJson(record.attributes),
    ...(record.tags !== undefined ? { tags: record.tags } : {}),
    policy: certificatePolicyJson(base, name, record),
  };
}

/** An item of `GET /certificates` (no version in the id) or of `GET /certificates/{name}/versions` (with it). */
export function certificateItem(base: string, name: string, record: CertificateRecord, withVersion: boolean): Json {
  return {
    id: withVersion ? `${base}/certificates/${name}/${record.version}` : `${base}/certificates/${name}`,
    x5t: record.x5t,
    attributes: attributesJson(record.attributes),
    ...(record.tags !== undefined ? { tags: record.tags } : {}),
  };
}
