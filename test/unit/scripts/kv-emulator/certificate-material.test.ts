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
import { writePkcs12 } from '../../../../scripts/kv-emulator/pkcs12-writer.js';
import { type TestChain, chain, opensslPkcs12, opensslReadPkcs12 } from '../../../support/test-certificates.js';

let rsa: TestChain;
let ec: TestChain;
beforeAll(async () => {
  rsa = await chain('material-rsa', { kty: 'RSA' }, 1);
  ec = await chain('material-ec', { kty: 'EC', curve: 'P-384' }, 1);
});

const subjects = (certs: readonly X509Certificate[]): string[] => certs.map((c) => c.subject);
const order = (c: TestChain): string[] => [c.leaf.subject, ...c.issuers.map((i) => i.subject)];

describe('certificate material', () => {
  it('puts the leaf first whatever the PEM order, and writes PKCS#8 key then chain with LF line ends', () => {
    const material = materialFromPem([...rsa.pems].reverse().join('') + rsa.leaf.keyPem);
    expect(subjects(material.chain)).toEqual(order(rsa));
    const pem = secretValue(material, PEM_CONTENT_TYPE);
    expect(pem.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(pem).not.toContain('\r');
    expect(pem.indexOf('BEGIN CERTIFICATE')).toBeGreaterThan(pem.indexOf('END PRIVATE KEY'));
  });

  it.each(['rsa', 'ec'])('%s: writes a PKCS#12 (empty password) that openssl reads back with the same key and chain', (kind) => {
    const c = kind === 'rsa' ? rsa : ec;
    const material = materialFromPem(c.leaf.keyPem + c.pems.join(''));
    const pfx = secretValue(material, PKCS12_CONTENT_TYPE);
    const viaOpenssl = materialFromPem(opensslReadPkcs12(Buffer.from(pfx, 'base64')));
    expect(subjects(viaOpenssl.chain)).toEqual(order(c));
    expect(viaOpenssl.privateKey?.export({ format: 'jwk' })).toEqual(createPrivateKey(c.leaf.keyPem).export({ format: 'jwk' }));
    const back = materialFromSecretValue(pfx, PKCS12_CONTENT_TYPE);
    expect(back.chain.map((x) => x.fingerprint256)).toEqual(material.chain.map((x) => x.fingerprint256));
  });

  it('imports an EC PKCS#12 exported by openssl with a password (AES-256) and keeps it EC', () => {
    const material = materialFromPfx(opensslPkcs12(ec.leaf.keyPem, ec.pems, 'aes-256', 'import-pass').toString('base64'), 'import-pass');
    expect(material.privateKey?.asymmetricKeyType).toBe('ec');
    expect(subjects(material.chain)).toEqual(order(ec));
  });

  it('leaves the private key out of a non-exportable certificate’s secret, in both formats', () => {
    const material = materialFromPem(ec.leaf.keyPem + ec.pems.join(''));
    const pem = secretValue(material, PEM_CONTENT_TYPE, false);
    expect(pem).not.toContain('PRIVATE KEY');
    expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    const fromPfx = materialFromSecretValue(secretValue(material, PKCS12_CONTENT_TYPE, false), PKCS12_CONTENT_TYPE);
    expect(fromPfx.privateKey).toBeUndefined();
    expect(subjects(fromPfx.chain)).toEqual(order(ec));
    expect(opensslReadPkcs12(writePkcs12(undefined, material.chain.map((x) => x.raw)))).not.toContain('PRIVATE KEY');
  });

  it('reads the facts Key Vault reports: DER, thumbprint, validity, public JWK and the policy key properties', () => {
    const facts = certificateFacts(materialFromPem(rsa.leaf.keyPem + rsa.leaf.certPem));
    const x509 = new X509Certificate(rsa.leaf.certPem);
    expect(facts.cerDer.equals(x509.raw)).toBe(true);
    expect(Buffer.from(facts.x5t, 'base64url').toString('hex').toUpperCase()).toBe(x509.fingerprint.replace(/:/g, ''));
    expect(facts.exp).toBe(Math.floor(x509.validToDate.getTime() / 1000));
    expect(facts.publicJwk).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    expect(facts.publicJwk.d).toBeUndefined();
    expect(facts).toMatchObject({ keyType: 'RSA', keySize: 2048, curve: undefined });
    expect(certificateFacts(materialFromPem(ec.leaf.keyPem + ec.leaf.certPem))).toMatchObject({ keyType: 'EC', keySize: undefined, curve: 'P-384' });
  });

  it('rejects incomplete, mismatched or unsupported input with BadParameter', () => {
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => materialFromPem(rsa.leaf.certPem)).toThrow(/private key/);
    expect(() => materialFromPem(rsa.leaf.keyPem)).toThrow(KvError);
    expect(() => materialFromPem(rsa.leaf.certPem + otherKey)).toThrow(/No certificate matches/);
    expect(() => materialFromPem(ed)).toThrow(KvError);
    expect(() => materialFromPfx('bm90IGEgcGZ4')).toThrow(/certificate data could not be read/);
    expect(() => materialFromPfx(opensslPkcs12(ec.leaf.keyPem, ec.pems, 'aes-256', 'pw').toString('base64'), 'wrong')).toThrow(/bad encoding or password/);
  });
});
