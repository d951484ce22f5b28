/**
 * Certificates generated at run time for the local stack and tests: a throw-away CA and server certificates
 * for loopback addresses. Keys come from node:crypto; node-forge builds the X.509 structures.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}
export type TestCa = PemPair;

/**
 * An RSA-2048 private key (PKCS#8 PEM) generated on the libuv thread pool, so that several can be made in
 * parallel without blocking the event loop; pass it as `keyPem` to createTestCa / issueCertificate.
 */
export async function generateKeyPem(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function newKeyPair(existingKeyPem?: string): { publicKey: forge.pki.PublicKey; keyPem: string } {
  const { publicKey, privateKey } =
    existingKeyPem === undefined
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : { privateKey: createPrivateKey(existingKeyPem), publicKey: createPublicKey(existingKeyPem) };
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Signs with SHA-256/RSA like forge's cert.sign, but the RSA operation runs in node:crypto (forge's
 * pure-JS RSA costs ~70 ms per certificate). forge builds the TBSCertificate and hands us the digest object;
 * we sign the same DER bytes.
 */
function signCertificate(cert: forge.pki.Certificate, signerKeyPem: string): void {
  const signer = {
    sign: (): string => {
      const tbs = forge.asn1.toDer((cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate).getBytes();
      return nodeSign('sha256', Buffer.from(tbs, 'binary'), signerKeyPem).toString('binary');
    },
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

function baseCertificate(publicKey: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

/** A self-signed CA valid for `days` (default 7), with a new key unless `keyPem` (RSA, e.g. from generateKeyPem) is given. */
export function createTestCa(commonName = 'akvsync local CA', days = 7, keyPem?: string): TestCa {
  const { publicKey, keyPem: caKeyPem } = newKeyPair(keyPem);
  const cert = baseCertificate(publicKey, days);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, caKeyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: caKeyPem };
}

export interface IssueOptions {
  /** DNS names and IP addresses, e.g. ['127.0.0.1', 'localhost']. The first is the common name. */
  readonly hosts: readonly string[];
  readonly days?: number;
  /** Adds clientAuth (for client certificates such as the apiserver admin). */
  readonly clientAuth?: boolean;
  /** Subject organisation (Kubernetes reads it as the group, e.g. system:masters). */
  readonly organization?: string;
  /** Use this RSA private key (PKCS#8 PEM, e.g. from generateKeyPem) instead of generating one. */
  readonly keyPem?: string;
}

/** A leaf certificate signed by `ca` for the given hosts. */
export function issueCertificate(ca: TestCa, options: IssueOptions): PemPair {
  const { publicKey, keyPem } = newKeyPair(options.keyPem);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCertificate(publicKey, options.days ?? 7);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: options.hosts[0] ?? 'akvsync' }];
  if (options.organization) subject.push({ name: 'organizationName', value: options.organization });
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = options.hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: options.clientAuth ?? false },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    // Names the signing key, so verifiers that trust several test CAs with the same name pick the right one.
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signCertificate(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** A server certificate for 127.0.0.1 and localhost (plus any extra hosts). */
export function issueLoopbackServerCert(ca: TestCa, extraHosts: readonly string[] = []): PemPair {
  return issueCertificate(ca, { hosts: ['127.0.0.1', 'localhost', '::1', ...extraHosts] });
}
