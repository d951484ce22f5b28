import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  PEM_CONTENT_TYPE,
  PKCS12_CONTENT_TYPE,
  certificateFacts,
  materialFromPem,
  materialFromPfx,
  materialFromSecretValue,
  secretValue,
} from '../../../../scripts/kv-emulator/certificate-material.js';
import { KvError } from '../../../../scripts/kv-emulator/kv-error.js';
import { createTestCa, issueCertificate } from '../../../../scripts/local-stack/tls.js';

const ca = createTestCa('certificate-material test CA');
const leaf = issueCertificate(ca, { hosts: ['leaf.test'] });

describe('certificate material', () => {
  it('puts the leaf first whatever the PEM order, and writes key then chain with LF line ends', () => {
    const material = materialFromPem(ca.certPem + leaf.certPem + leaf.keyPem);
    expect(new X509Certificate(material.certPems[0] ?? '').subject).toBe('CN=leaf.test');
    expect(material.certPems).toHaveLength(2);
    const pem = secretValue(material, PEM_CONTENT_TYPE);
    expect(pem.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(pem).not.toContain('\r');
    expect(pem.indexOf('BEGIN CERTIFICATE')).toBeGreaterThan(pem.indexOf('END PRIVATE KEY'));
  });

  it('round-trips through PKCS#12 (empty password) with the same key and certificates', () => {
    const material = materialFromPem(leaf.keyPem + leaf.certPem + ca.certPem);
    const pfx = secretValue(material, PKCS12_CONTENT_TYPE);
    const back = materialFromSecretValue(pfx, PKCS12_CONTENT_TYPE);
    expect(back.certPems.map((c) => new X509Certificate(c).fingerprint256)).toEqual(material.certPems.map((c) => new X509Certificate(c).fingerprint256));
    expect(createPrivateKey(back.keyPem).export({ format: 'jwk' }).n).toBe(createPrivateKey(leaf.keyPem).export({ format: 'jwk' }).n);
  });

  it('reads the facts Key Vault reports: DER, thumbprint, validity and the public JWK', () => {
    const facts = certificateFacts(materialFromPem(leaf.keyPem + leaf.certPem));
    const x509 = new X509Certificate(leaf.certPem);
    expect(facts.cerDer.equals(x509.raw)).toBe(true);
    expect(Buffer.from(facts.x5t, 'base64url').toString('hex').toUpperCase()).toBe(x509.fingerprint.replace(/:/g, ''));
    expect(facts.exp).toBe(Math.floor(x509.validToDate.getTime() / 1000));
    expect(facts.publicJwk).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    expect(facts.publicJwk.d).toBeUndefined();
  });

  it('rejects incomplete or mismatched input with BadParameter', () => {
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => materialFromPem(leaf.certPem)).toThrow(KvError);
    expect(() => materialFromPem(leaf.keyPem)).toThrow(KvError);
    expect(() => materialFromPem(leaf.certPem + otherKey)).toThrow(/No certificate matches/);
    expect(() => materialFromPfx('bm90IGEgcGZ4')).toThrow(/PKCS#12/);
  });
});
