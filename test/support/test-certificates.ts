/**
 * Certificate material generated in tests: RSA or EC chains (root → intermediates → leaf) built with @peculiar/x509
 * on WebCrypto, and PKCS#12 files exported by the real `openssl` CLI in the encryptions Azure and Windows export with
 * (OpenSSL 3 default PBES2/AES-256 + SHA-256 MAC; legacy 3DES/RC2 + SHA-1 MAC; unencrypted). Key material goes to
 * openssl on stdin only, never argv or disk.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export type KeySpec = { kty: 'RSA'; bits?: number } | { kty: 'EC'; curve?: 'P-256' | 'P-384' | 'P-521' };

export interface IssuedCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  readonly subject: string;
  readonly keys: CryptoKeyPair;
  readonly cert: x509.X509Certificate;
}

// Web Crypto through the globals (not node:crypto's webcrypto namespace): @peculiar/x509 types its keys as the global
// CryptoKey, which is DOM's when a dependency's typings pull in lib "dom" (@cdktf/hcl2json's do) and Node's otherwise.
function algorithmOf(spec: KeySpec): RsaHashedKeyGenParams | EcKeyGenParams {
  return spec.kty === 'RSA'
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: spec.bits ?? 2048 }
    : { name: 'ECDSA', namedCurve: spec.curve ?? 'P-256' };
}

function signingAlgorithmOf(key: CryptoKey): EcdsaParams | RsaHashedImportParams {
  return key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

let serial = 1;

/** A certificate for `commonName`, signed by `issuer` (self-signed without one). CA certificates with `ca: true`. */
export async function issue(commonName: string, spec: KeySpec, options: { issuer?: IssuedCertificate; ca?: boolean; days?: number } = {}): Promise<IssuedCertificate> {
  const keys = (await globalThis.crypto.subtle.generateKey(algorithmOf(spec), true, ['sign', 'verify'])) as CryptoKeyPair;
  const issuer = options.issuer;
  const signingKey = issuer ? issuer.keys.privateKey : keys.privateKey;
  const subject = `CN=${commonName}`;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, '0'),
    subject,
    issuer: issuer ? issuer.cert.subject : subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + (options.days ?? 2) * 86_400_000),
    signingAlgorithm: signingAlgorithmOf(signingKey),
    publicKey: keys.publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ...(issuer ? [await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)] : []),
    ],
  });
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { certPem: cert.toString('pem') + '\n', keyPem, subject, keys, cert };
}

export interface TestChain {
  readonly leaf: IssuedCertificate;
  /** Leaf's issuer first, root last. */
  readonly issuers: readonly IssuedCertificate[];
  /** Leaf, issuers…, root as PEM, in issuance order. */
  readonly pems: readonly string[];
}

/** root → `intermediates` intermediates → leaf, every key of `spec` (or per level: leafSpec for the leaf). */
export async function chain(name: string, spec: KeySpec, intermediates = 1, leafSpec: KeySpec = spec): Promise<TestChain> {
  const root = await issue(`${name} root`, spec, { ca: true });
  const issuers = [root];
  for (let i = 1; i <= intermediates; i++) issuers.unshift(await issue(`${name} intermediate ${i}`, spec, { ca: true, issuer: issuers[0] }));
  const leaf = await issue(`${name}.example.test`, leafSpec, { issuer: issuers[0] });
  return { leaf, issuers, pems: [leaf.certPem, ...issuers.map((c) => c.certPem)] };
}

/** openssl 3 `pkcs12 -export` profiles. */
export const PKCS12_PROFILES = {
  /** OpenSSL 3 default, as Windows/Azure "AES256-SHA256" exports: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), SHA-256 MAC. */
  'aes-256': [],
  /** OpenSSL 1.x and older Azure/Windows exports: keys PBE-SHA1-3DES, certificates PBE-SHA1-RC2-40, SHA-1 MAC. */
  legacy: ['-legacy'],
  /** 3DES for keys and certificates, SHA-1 MAC (Key Vault's own PFX exports). */
  '3des': ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
  /** No encryption, MAC only. */
  unencrypted: ['-keypbe', 'NONE', '-certpbe', 'NONE'],
} as const;
export type Pkcs12Profile = keyof typeof PKCS12_PROFILES;

/** A PKCS#12 (DER) of the key (optional) and certificates, as `openssl pkcs12 -export` writes it. */
export function opensslPkcs12(keyPem: string | undefined, certPems: readonly string[], profile: Pkcs12Profile, password = '', extraArgs: readonly string[] = []): Buffer {
  const args = ['pkcs12', '-export', '-passout', `pass:${password}`, ...PKCS12_PROFILES[profile], ...(keyPem === undefined ? ['-nokeys'] : []), ...extraArgs];
  const result = spawnSync('openssl', args, { input: (keyPem ?? '') + certPems.join('') });
  if (result.status !== 0) throw new Error(`openssl pkcs12 -export failed (${result.status}): ${result.stderr.toString().slice(0, 300)}`);
  return result.stdout;
}

/** Reads a PKCS#12 back with the real `openssl` CLI: the PEM of its key and certificates. */
export function opensslReadPkcs12(der: Buffer, password = ''): string {
  const result = spawnSync('openssl', ['pkcs12', '-nodes', '-passin', `pass:${password}`], { input: der });
  if (result.status !== 0) throw new Error(`openssl pkcs12 failed (${result.status}): ${result.stderr.toString().slice(0, 300)}`);
  return result.stdout.toString();
}
