import { X509Certificate, createPrivateKey } from 'node:crypto';
import { PEM_CONTENT_TYPE, PKCS12_CONTENT_TYPE, readCertificateValue } from '../../../../core/certificates/certificate-value.js';
import { tlsSecretData } from '../../../../core/certificates/tls-secret-data.js';
import { type TestChain, chain, issue, opensslPkcs12 } from '../../../support/test-certificates.js';
import { expectNoSecretIn, terminalErrorFrom } from '../sync/terminal-error.js';

const subject = { objectName: 'ingress-tls', version: 'v7' };
let rsa: TestChain;
let ec: TestChain;
beforeAll(async () => {
  rsa = await chain('rsa-tls', { kty: 'RSA' }, 2);
  ec = await chain('ec-tls', { kty: 'EC', curve: 'P-256' }, 1);
});

const text = (entries: [string, Buffer][]): Record<string, string> => Object.fromEntries(entries.map(([k, v]) => [k, v.toString('utf8')]));
const pemCerts = (pem: string): X509Certificate[] => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? []).map((p) => new X509Certificate(p));

describe('tlsSecretData', () => {
  it('RSA from PKCS#12: tls.crt is the whole chain leaf first, each signed by the next; tls.key is PKCS#1 PEM of the leaf key', () => {
    const [leaf, i1, i2, root] = rsa.pems as [string, string, string, string];
    const value = opensslPkcs12(rsa.leaf.keyPem, [root, i2, i1, leaf], 'legacy').toString('base64');
    const data = text(tlsSecretData(readCertificateValue(value, PKCS12_CONTENT_TYPE, subject), subject));

    expect(Object.keys(data)).toEqual(['tls.crt', 'tls.key']);
    const certs = pemCerts(data['tls.crt'] ?? '');
    expect(certs.map((c) => c.subject)).toEqual([rsa.leaf.subject, ...rsa.issuers.map((c) => c.subject)]);
    certs.slice(0, -1).forEach((c, i) => expect(c.verify((certs[i + 1] as X509Certificate).publicKey)).toBe(true));
    expect(data['tls.crt']).not.toContain('\r');
    expect(data['tls.key']).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/);
    expect(certs[0]?.checkPrivateKey(createPrivateKey(data['tls.key'] ?? ''))).toBe(true);
  });

  it('EC from PEM: tls.key is SEC1 (EC PRIVATE KEY), as akv2k8s writes it', () => {
    const data = text(tlsSecretData(readCertificateValue(ec.leaf.keyPem + [...ec.pems].reverse().join(''), PEM_CONTENT_TYPE, subject), subject));
    expect(data['tls.key']).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(pemCerts(data['tls.crt'] ?? '').map((c) => c.subject)).toEqual([ec.leaf.subject, ...ec.issuers.map((c) => c.subject)]);
    expect(createPrivateKey(data['tls.key'] ?? '').asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('adds ca.crt on request: the root when the value holds it', () => {
    const data = text(tlsSecretData(readCertificateValue(rsa.leaf.keyPem + rsa.pems.join(''), PEM_CONTENT_TYPE, subject), subject, { includeCaCert: true }));
    expect(pemCerts(data['ca.crt'] ?? '').map((c) => c.subject)).toEqual([rsa.issuers[2]?.subject]);
  });

  it('ca.crt is the top issuer present when the root is not stored, the leaf itself when self-signed, and absent for a lone leaf', async () => {
    const [leaf, i1] = ec.pems as [string, string];
    const withoutRoot = text(tlsSecretData(readCertificateValue(ec.leaf.keyPem + leaf + i1, PEM_CONTENT_TYPE, subject), subject, { includeCaCert: true }));
    expect(pemCerts(withoutRoot['ca.crt'] ?? '').map((c) => c.subject)).toEqual([ec.issuers[0]?.subject]);

    const selfSigned = await issue('self-signed.test', { kty: 'EC' });
    const self = text(tlsSecretData(readCertificateValue(selfSigned.keyPem + selfSigned.certPem, PEM_CONTENT_TYPE, subject), subject, { includeCaCert: true }));
    expect(self['ca.crt']).toBe(self['tls.crt']);

    const lone = text(tlsSecretData(readCertificateValue(ec.leaf.keyPem + leaf, PEM_CONTENT_TYPE, subject), subject, { includeCaCert: true }));
    expect(Object.keys(lone)).toEqual(['tls.crt', 'tls.key']);
  });

  it('without a private key (not exportable): KeyNotExportable, a terminal error that names the object and no key material', () => {
    const value = opensslPkcs12(undefined, ec.pems, 'aes-256').toString('base64');
    const e = terminalErrorFrom(() => tlsSecretData(readCertificateValue(value, PKCS12_CONTENT_TYPE, subject), subject));
    expect(e.code).toBe('KeyNotExportable');
    expect(e.message).toContain("Key Vault object 'ingress-tls' version v7 has no exportable private key");
    expectNoSecretIn(e, value.slice(20, 60));
  });
});
