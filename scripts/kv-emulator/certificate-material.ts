/**
 * A certificate with its private key, in the two forms Key Vault serves a certificate's backing secret:
 * PEM (PKCS#8 private key then the chain, application/x-pem-file) or base64 PKCS#12 (application/x-pkcs12, empty
 * password). Reading goes through the agent's own converters (core/certificates: PEM or PKCS#12, RSA or EC); PKCS#12
 * is written by pkcs12-writer.ts. A non-exportable certificate's secret holds the chain only, as in Azure.
 */
import { type KeyObject, type X509Certificate, createHash } from 'node:crypto';
import { PEM_CONTENT_TYPE, PKCS12_CONTENT_TYPE, readCertificateValue } from '../../core/certificates/certificate-value.js';
import { orderChain } from '../../core/certificates/order-chain.js';
import { toPem } from '../../core/certificates/pem.js';
import { readPkcs12 } from '../../core/certificates/read-pkcs12.js';
import { isAkvsyncError } from '../../core/errors.js';
import { badParameter } from './kv-error.js';
import { writePkcs12 } from './pkcs12-writer.js';

export { PEM_CONTENT_TYPE, PKCS12_CONTENT_TYPE };
export type CertificateContentType = typeof PEM_CONTENT_TYPE | typeof PKCS12_CONTENT_TYPE;

export interface CertificateMaterial {
  /** Undefined in the secret of a certificate whose key is not exportable. */
  readonly privateKey: KeyObject | undefined;
  /** Leaf first, then its issuers. */
  readonly chain: readonly X509Certificate[];
}

export interface CertificateFacts {
  readonly cerDer: Buffer;
  readonly x5t: string;
  readonly nbf: number;
  readonly exp: number;
  readonly publicJwk: Record<string, string>;
  /** What the policy's key_props report. */
  readonly keyType: 'RSA' | 'EC';
  readonly keySize: number | undefined;
  readonly curve: string | undefined;
}

const SUBJECT = { objectName: 'import', version: 'new' };
const CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'P-256K' };

/** Core's errors (TerminalError) become 400 BadParameter with a message of the emulator's own. */
function asBadParameter<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!isAkvsyncError(error)) throw error;
    if (error.code === 'CertificateKeyMismatch') throw badParameter('No certificate matches the private key.');
    if (/integrity check/.test(error.message)) throw badParameter('The PKCS#12 data could not be read (bad encoding or password).');
    throw badParameter('The certificate data could not be read: give a private key and its certificate(s), as PEM or PKCS#12.');
  }
}

function withKey(material: CertificateMaterial): CertificateMaterial {
  if (!material.privateKey) throw badParameter('The PEM or PKCS#12 must contain a private key and at least one certificate.');
  if (!['rsa', 'ec'].includes(material.privateKey.asymmetricKeyType ?? '')) throw badParameter('Only RSA and EC keys are supported.');
  return material;
}

export function materialFromPem(pem: string): CertificateMaterial {
  return withKey(asBadParameter(() => readCertificateValue(pem, PEM_CONTENT_TYPE, SUBJECT)));
}

export function materialFromPfx(pfxBase64: string, password = ''): CertificateMaterial {
  return withKey(asBadParameter(() => {
    const { privateKeys, certificates } = readPkcs12(Buffer.from(pfxBase64, 'base64'), SUBJECT, password);
    if (privateKeys.length !== 1 || certificates.length === 0) throw badParameter('The PKCS#12 data must contain one private key and at least one certificate.');
    const ordered = orderChain(certificates, privateKeys[0]);
    if (!ordered) throw badParameter('No certificate matches the private key.');
    return { privateKey: privateKeys[0], chain: ordered.chain };
  }));
}

/** Reads a backing secret value back (for `outContentType` conversion). */
export function materialFromSecretValue(value: string, contentType: string | undefined): CertificateMaterial {
  return asBadParameter(() => readCertificateValue(value, contentType, SUBJECT));
}

/** The backing secret's value in the requested format; without the key when it is not exportable. */
export function secretValue(material: CertificateMaterial, contentType: CertificateContentType, exportable = true): string {
  const key = exportable ? material.privateKey : undefined;
  if (contentType === PEM_CONTENT_TYPE) {
    return (key ? key.export({ type: 'pkcs8', format: 'pem' }).toString() : '') + material.chain.map((c) => toPem('CERTIFICATE', c.raw)).join('');
  }
  const keyDer = key ? key.export({ type: 'pkcs8', format: 'der' }) : undefined;
  return writePkcs12(keyDer, material.chain.map((c) => c.raw)).toString('base64');
}

export function certificateFacts(material: CertificateMaterial): CertificateFacts {
  const leaf = material.chain[0] as X509Certificate;
  const jwk = leaf.publicKey.export({ format: 'jwk' });
  const details = leaf.publicKey.asymmetricKeyDetails;
  const ec = leaf.publicKey.asymmetricKeyType === 'ec';
  return {
    cerDer: leaf.raw,
    x5t: createHash('sha1').update(leaf.raw).digest('base64url'),
    nbf: Math.floor(leaf.validFromDate.getTime() / 1000),
    exp: Math.floor(leaf.validToDate.getTime() / 1000),
    publicJwk: Object.fromEntries(Object.entries(jwk).filter((e): e is [string, string] => typeof e[1] === 'string')),
    keyType: ec ? 'EC' : 'RSA',
    keySize: ec ? undefined : details?.modulusLength,
    curve: ec && details?.namedCurve ? (CURVES[details.namedCurve] ?? details.namedCurve) : undefined,
  };
}

export function isCertificateContentType(value: string): value is CertificateContentType {
  return value === PEM_CONTENT_TYPE || value === PKCS12_CONTENT_TYPE;
}
