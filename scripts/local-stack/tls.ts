/**
 * Certificates generated at run time for the local stack and tests: a throw-away CA and server certificates
 * for loopback addresses. Keys come from node:crypto; node-forge builds the X.509 structures.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}
export type TestCa = PemPair;

function newKeyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(keyPem),
    keyPem,
  };
}

function baseCertificate(publicKey: forge.pki.PublicKey, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

/** A self-signed CA valid for `days` (default 7). */
export function createTestCa(commonName = 'akvsync local CA', days = 7): TestCa {
  const { publicKey, privateKey, keyPem } = newKeyPair();
  const cert = baseCertificate(publicKey, days);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface IssueOptions {
  /** DNS names and IP addresses, e.g. ['127.0.0.1', 'localhost']. The first is the common name. */
  readonly hosts: readonly string[];
  readonly days?: number;
  /** Adds clientAuth (for client certificates such as the apiserver admin). */
  readonly clientAuth?: boolean;
  /** Subject organisation (Kubernetes reads it as the group, e.g. system:masters). */
  readonly organization?: string;
}

/** A leaf certificate signed by `ca` for the given hosts. */
export function issueCertificate(ca: TestCa, options: IssueOptions): PemPair {
  const { publicKey, keyPem } = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
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
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** A server certificate for 127.0.0.1 and localhost (plus any extra hosts). */
export function issueLoopbackServerCert(ca: TestCa, extraHosts: readonly string[] = []): PemPair {
  return issueCertificate(ca, { hosts: ['127.0.0.1', 'localhost', '::1', ...extraHosts] });
}
