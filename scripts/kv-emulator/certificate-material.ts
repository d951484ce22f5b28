/**
 * A certificate with its private key, in the two forms Key Vault serves a certificate's backing secret:
 * PEM (private key then certificates, application/x-pem-file) or base64 PKCS#12 (application/x-pkcs12,
 * empty password). PKCS#12 reading and writing go through node-forge, which handles RSA keys only.
 */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { badParameter } from './kv-error.js';

export const PEM_CONTENT_TYPE = 'application/x-pem-file';
export const PKCS12_CONTENT_TYPE = 'application/x-pkcs12';
export type CertificateContentType = typeof PEM_CONTENT_TYPE | typeof PKCS12_CONTENT_TYPE;

export interface CertificateMaterial {
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  /** Leaf first, then the rest of the chain as given. */
  readonly certPems: readonly string[];
}

export interface CertificateFacts {
  readonly cerDer: Buffer;
  readonly x5t: string;
  readonly nbf: number;
  readonly exp: number;
  readonly publicJwk: Record<string, string>;
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g;

export function materialFromPem(pem: string): CertificateMaterial {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const keyBlock = blocks.find((b) => b[1]?.endsWith('PRIVATE KEY'));
  const certPems = blocks.filter((b) => b[1] === 'CERTIFICATE').map((b) => lf(`${b[0]}\n`));
  if (!keyBlock || certPems.length === 0) throw badParameter('The PEM must contain a private key and at least one certificate.');
  return withLeafFirst(normaliseKey(keyBlock[0]), certPems);
}

export function materialFromPfx(pfxBase64: string, password = ''): CertificateMaterial {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(pfxBase64)), password);
  } catch {
    throw badParameter('The PKCS#12 data could not be read (bad encoding or password).');
  }
  const oids = forge.pki.oids;
  const keyBags = [
    ...(p12.getBags({ bagType: oids.pkcs8ShroudedKeyBag })[oids.pkcs8ShroudedKeyBag as string] ?? []),
    ...(p12.getBags({ bagType: oids.keyBag })[oids.keyBag as string] ?? []),
  ];
  const certBags = p12.getBags({ bagType: oids.certBag })[oids.certBag as string] ?? [];
  const key = keyBags.find((b) => b.key)?.key;
  const certs = certBags.flatMap((b) => (b.cert ? [lf(forge.pki.certificateToPem(b.cert))] : []));
  if (!key || certs.length === 0) throw badParameter('The PKCS#12 data must contain a private key and at least one certificate.');
  return withLeafFirst(normaliseKey(forge.pki.privateKeyToPem(key)), certs);
}

/** forge writes CRLF; Key Vault and node:crypto write LF. */
function lf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/** The backing secret's value in the requested format. */
export function secretValue(material: CertificateMaterial, contentType: CertificateContentType): string {
  if (contentType === PEM_CONTENT_TYPE) return [material.keyPem, ...material.certPems].join('');
  const key = forge.pki.privateKeyFromPem(material.keyPem);
  const certs = material.certPems.map((c) => forge.pki.certificateFromPem(c));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, '', { algorithm: '3des' });
  return forge.util.encode64(forge.asn1.toDer(asn1).getBytes());
}

/** Reads a backing secret value back (for `outContentType` conversion). */
export function materialFromSecretValue(value: string, contentType: string | undefined): CertificateMaterial {
  return contentType === PKCS12_CONTENT_TYPE ? materialFromPfx(value) : materialFromPem(value);
}

export function certificateFacts(material: CertificateMaterial): CertificateFacts {
  const leaf = new X509Certificate(material.certPems[0] as string);
  const jwk = leaf.publicKey.export({ format: 'jwk' });
  return {
    cerDer: leaf.raw,
    x5t: createHash('sha1').update(leaf.raw).digest('base64url'),
    nbf: Math.floor(leaf.validFromDate.getTime() / 1000),
    exp: Math.floor(leaf.validToDate.getTime() / 1000),
    publicJwk: Object.fromEntries(Object.entries(jwk).filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

export function isCertificateContentType(value: string): value is CertificateContentType {
  return value === PEM_CONTENT_TYPE || value === PKCS12_CONTENT_TYPE;
}

function normaliseKey(pem: string): string {
  try {
    return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw badParameter('The private key could not be read.');
  }
}

function withLeafFirst(keyPem: string, certPems: string[]): CertificateMaterial {
  const key = createPrivateKey(keyPem);
  const leafIndex = certPems.findIndex((c) => new X509Certificate(c).checkPrivateKey(key));
  if (leafIndex < 0) throw badParameter('No certificate matches the private key.');
  const leaf = certPems[leafIndex] as string;
  return { keyPem, certPems: [leaf, ...certPems.filter((_, i) => i !== leafIndex)] };
}
