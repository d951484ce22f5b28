/**
 * Issues the webhook's CA and serving certificates with @peculiar/x509 on WebCrypto (ECDSA P-256, SHA-256):
 * keys made and signed natively, certificates dated BACKDATE_MS back for clock skew. Keys leave as PKCS#8 PEM for
 * the shared Secret only; nothing here logs.
 */
import 'reflect-metadata';
import { createPrivateKey, KeyObject, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { BACKDATE_MS } from '../../core/webhook-tls/rotation-plan.js';

export interface IssuedPair {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

const newKeys = async (): Promise<CryptoKeyPair> => (await globalThis.crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
const keyPemOf = (key: CryptoKey): string => KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
// A positive 16-byte serial (RFC 5280: at most 20 octets, non-negative).
const serial = (): string => `01${randomBytes(15).toString('hex')}`;
const validity = (nowMs: number, notAfterMs: number): { notBefore: Date; notAfter: Date } => ({ notBefore: new Date(nowMs - BACKDATE_MS), notAfter: new Date(notAfterMs) });

/** A self-signed CA, valid for `validityMs` from `nowMs`. */
export async function issueWebhookCa(nowMs: number, validityMs: number): Promise<IssuedPair> {
  const keys = await newKeys();
  const name = `CN=akvsync webhook CA ${new Date(nowMs).toISOString()}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name, ...validity(nowMs, nowMs + validityMs), signingAlgorithm: { ...EC, ...SIGNING }, keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: keyPemOf(keys.privateKey) };
}

/**
 * A serving certificate for `hosts` (DNS names and IP addresses; the first is the common name) signed by `ca`,
 * valid for `validityMs` but never past the CA's own notAfter.
 */
export async function issueServingCertificate(ca: IssuedPair, hosts: readonly string[], nowMs: number, validityMs: number): Promise<IssuedPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await globalThis.crypto.subtle.importKey('pkcs8', createPrivateKey(ca.keyPem).export({ type: 'pkcs8', format: 'der' }), EC, false, ['sign']);
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: `CN=${hosts[0] ?? 'akvsync-webhook'}`, issuer: caCert.subject,
    ...validity(nowMs, Math.min(nowMs + validityMs, caCert.notAfter.getTime())),
    signingAlgorithm: SIGNING, publicKey: keys.publicKey, signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: keyPemOf(keys.privateKey) };
}
