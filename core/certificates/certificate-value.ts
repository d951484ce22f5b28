/**
 * A certificate's Key Vault secret value, read: PEM (`application/x-pem-file`: key and certificates in any order)
 * or base64 PKCS#12 (`application/x-pkcs12`, empty password), RSA or EC. Also a `secret` object holding a PFX or a
 * PEM bundle (akv2k8s example 09). Errors are TerminalErrors naming the object, never quoting the value.
 */
import { type KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import { orderChain } from './order-chain.js';
import { pemBlocks } from './pem.js';
import { readPkcs12 } from './read-pkcs12.js';
import { type ValueSubject, invalidValue } from './value-subject.js';

export const PEM_CONTENT_TYPE = 'application/x-pem-file';
export const PKCS12_CONTENT_TYPE = 'application/x-pkcs12';

export interface CertificateChain {
  /** Undefined when the value holds no private key (a certificate whose key is not exportable). */
  readonly privateKey: KeyObject | undefined;
  /** Leaf first, then its issuers in order, then any other certificate of the value. */
  readonly chain: readonly X509Certificate[];
  /** How many of `chain`, from the leaf, are the leaf's issuer path. */
  readonly pathLength: number;
}

const PRIVATE_KEY_TYPES: Readonly<Record<string, 'pkcs8' | 'pkcs1' | 'sec1'>> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

/** Is this value PEM text? By content type when Key Vault gives one, else by its content. */
export function isPemValue(value: string, contentType: string | undefined): boolean {
  if (contentType === PEM_CONTENT_TYPE) return true;
  if (contentType === PKCS12_CONTENT_TYPE) return false;
  return value.includes('-----BEGIN ');
}

function fromPem(text: string, subject: ValueSubject): { keys: KeyObject[]; certs: X509Certificate[] } {
  const blocks = pemBlocks(text);
  const keys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY')).map((b) => {
    const type = PRIVATE_KEY_TYPES[b.label];
    if (type === undefined || b.hasHeaders) throw invalidValue('InvalidCertificate', subject, 'holds an encrypted private key; Key Vault serves them unencrypted');
    try {
      return createPrivateKey({ key: b.der, format: 'der', type });
    } catch {
      throw invalidValue('InvalidCertificate', subject, `holds a ${b.label} block that cannot be read`);
    }
  });
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => {
    try {
      return new X509Certificate(b.der);
    } catch {
      throw invalidValue('InvalidCertificate', subject, 'holds a CERTIFICATE block that cannot be read');
    }
  });
  return { keys, certs };
}

function fromPkcs12(base64: string, subject: ValueSubject): { keys: KeyObject[]; certs: X509Certificate[] } {
  const text = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length === 0) throw invalidValue('InvalidCertificate', subject, 'is neither PEM nor base64 PKCS#12');
  const { privateKeys, certificates } = readPkcs12(Buffer.from(text, 'base64'), subject);
  return { keys: privateKeys, certs: certificates };
}

/** Reads a certificate value into its private key (if any) and its chain, leaf first. */
export function readCertificateValue(value: string, contentType: string | undefined, subject: ValueSubject): CertificateChain {
  const { keys, certs } = isPemValue(value, contentType) ? fromPem(value, subject) : fromPkcs12(value, subject);
  if (certs.length === 0) throw invalidValue('InvalidCertificate', subject, 'holds no certificate');
  if (keys.length > 1) throw invalidValue('InvalidCertificate', subject, `holds ${keys.length} private keys; expected one`);
  const privateKey = keys[0];
  const ordered = orderChain(certs, privateKey);
  if (ordered === undefined) throw invalidValue('CertificateKeyMismatch', subject, 'holds a private key that matches none of its certificates');
  return { privateKey, chain: ordered.chain, pathLength: ordered.pathLength };
}
