/**
 * `kubernetes.io/tls` Secret data from a certificate chain: `tls.crt` the whole chain as PEM, leaf first;
 * `tls.key` the private key as PEM in the form akv2k8s wrote (PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`,
 * PKCS#8 for other key types); with `includeCaCert`, `ca.crt` the top of the leaf's issuer path (the root when the
 * value holds it; the leaf itself when self-signed).
 */
import type { KeyObject } from 'node:crypto';
import type { TerminalError } from '../errors.js';
import type { CertificateChain } from './certificate-value.js';
import { toPem } from './pem.js';
import { type ValueSubject, invalidValue } from './value-subject.js';

export interface TlsOptions {
  readonly includeCaCert?: boolean;
}

export function privateKeyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8';
  return key.export({ type, format: 'pem' }).toString().replace(/\r\n/g, '\n');
}

/** A certificate whose key is not exportable asked for as a TLS Secret: terminal, it cannot pass by retrying. */
export function keyNotExportable(subject: ValueSubject): TerminalError {
  return invalidValue('KeyNotExportable', subject,
    'has no exportable private key (its policy marks the key as not exportable), so it cannot become a kubernetes.io/tls Secret; '
    + 'write its public certificate instead (a ConfigMap, or a Secret without type)');
}

/** The entries of a TLS Secret. TerminalError `KeyNotExportable` when the value has no private key. */
export function tlsSecretData(value: CertificateChain, subject: ValueSubject, options: TlsOptions = {}): [string, Buffer][] {
  if (value.privateKey === undefined) throw keyNotExportable(subject);
  const entries: [string, Buffer][] = [
    ['tls.crt', Buffer.from(value.chain.map((c) => toPem('CERTIFICATE', c.raw)).join(''), 'utf8')],
    ['tls.key', Buffer.from(privateKeyPem(value.privateKey), 'utf8')],
  ];
  const top = value.chain[value.pathLength - 1];
  if (options.includeCaCert === true && top !== undefined && (value.pathLength > 1 || top.checkIssued(top))) {
    entries.push(['ca.crt', Buffer.from(toPem('CERTIFICATE', top.raw), 'utf8')]);
  }
  return entries;
}
