/**
 * Outputs that carry no private key: a certificate's public leaf (akv2k8s writes it for a ConfigMap or a Secret
 * with no `type`), a certificate's raw value (explicit `Opaque`), and a Key Vault key's public key as PEM or JWK.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { isPemValue } from './certificate-value.js';
import { toPem } from './pem.js';
import { type ValueSubject, invalidValue } from './value-subject.js';

/** The leaf certificate as PEM, from Key Vault's `cer` (DER). */
export function leafCertificatePem(cer: Uint8Array, subject: ValueSubject): Buffer {
  try {
    return Buffer.from(toPem('CERTIFICATE', new X509Certificate(cer).raw), 'utf8');
  } catch {
    throw invalidValue('InvalidCertificate', subject, 'has a certificate (cer) that is not DER X.509');
  }
}

/** akv2k8s's explicit-`Opaque` output: the PEM text as is, or the PFX bytes (the base64 decoded). */
export function rawCertificateValue(value: string, contentType: string | undefined, subject: ValueSubject): Buffer {
  if (isPemValue(value, contentType)) return Buffer.from(value, 'utf8');
  const text = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw invalidValue('InvalidCertificate', subject, 'is not base64 PKCS#12');
  return Buffer.from(text, 'base64');
}

/** A Key Vault key's public half as JOSE gives it (base64url members). Key Vault's `-HSM` kty suffix is accepted. */
export interface PublicJwk {
  readonly kty: string;
  readonly kid?: string | undefined;
  readonly crv?: string | undefined;
  readonly n?: string | undefined;
  readonly e?: string | undefined;
  readonly x?: string | undefined;
  readonly y?: string | undefined;
}

export type KeyFormat = 'pem' | 'jwk';

/** Key Vault's curve names → JOSE's (RFC 7518, RFC 8812). */
const CURVES: Readonly<Record<string, string>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', 'P-256K': 'secp256k1', SECP256K1: 'secp256k1' };

function publicMembers(jwk: PublicJwk, subject: ValueSubject): Record<string, string> {
  const kty = jwk.kty.replace(/-HSM$/, '');
  if (kty === 'RSA' && jwk.n && jwk.e) return { kty, n: jwk.n, e: jwk.e };
  const crv = jwk.crv === undefined ? undefined : CURVES[jwk.crv.toUpperCase()];
  if (kty === 'EC' && crv && jwk.x && jwk.y) return { kty, crv, x: jwk.x, y: jwk.y };
  throw invalidValue('InvalidKey', subject, `is a ${JSON.stringify(jwk.kty.slice(0, 16))} key${jwk.crv ? ` on curve ${JSON.stringify(jwk.crv.slice(0, 16))}` : ''}; only RSA and EC (P-256, P-384, P-521, P-256K) public keys can be written`);
}

/**
 * The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), or as a JWK (JSON: kty, n/e or crv/x/y, and `kid`
 * when Key Vault gave one). Never akv2k8s's raw modulus bytes. Only public members are ever copied.
 */
export function publicKeyOutput(jwk: PublicJwk, format: KeyFormat, subject: ValueSubject): Buffer {
  const members = publicMembers(jwk, subject);
  let pem: string;
  try {
    pem = createPublicKey({ key: members, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw invalidValue('InvalidKey', subject, `is a ${members.kty} key whose public members do not form a valid key`);
  }
  if (format === 'pem') return Buffer.from(pem, 'utf8');
  return Buffer.from(JSON.stringify({ ...members, ...(jwk.kid ? { kid: jwk.kid } : {}) }), 'utf8');
}
