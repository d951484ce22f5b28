import { type X509Certificate, createPrivateKey } from 'node:crypto';
import { PEM_CONTENT_TYPE, PKCS12_CONTENT_TYPE, readCertificateValue } from '../../../../core/certificates/certificate-value.js';
import { type KeySpec, PKCS12_PROFILES, type Pkcs12Profile, type TestChain, chain, issue, opensslPkcs12 } from '../../../support/test-certificates.js';
import { expectNoSecretIn, terminalErrorFrom } from '../sync/terminal-error.js';

const subject = { objectName: 'my-certificate', version: '0123456789abcdef0123456789abcdef' };
const SPECS: Record<string, KeySpec> = { 'RSA 2048': { kty: 'RSA' }, 'EC P-256': { kty: 'EC', curve: 'P-256' }, 'EC P-384': { kty: 'EC', curve: 'P-384' } };
const chains: Record<string, TestChain> = {};
const subjects = (certs: readonly X509Certificate[]): string[] => certs.map((c) => c.subject);
/** The body of a PEM key, i.e. what must never appear in an error. */
const keyBody = (pem: string): string => pem.split('\n').slice(1, 3).join('');

beforeAll(async () => {
  for (const [name, spec] of Object.entries(SPECS)) chains[name] = await chain(name.replace(/\W/g, ''), spec, 1);
});

const expectedOrder = (c: TestChain): string[] => [c.leaf.subject, ...c.issuers.map((i) => i.subject)];

describe('readCertificateValue: PKCS#12 (application/x-pkcs12)', () => {
  const cases = Object.keys(SPECS).flatMap((spec) => (Object.keys(PKCS12_PROFILES) as Pkcs12Profile[]).map((profile) => [spec, profile] as const));

  it.each(cases)('%s, openssl %s: key and chain, leaf first though stored root, leaf, intermediate', (spec, profile) => {
    const c = chains[spec] as TestChain;
    const [leafPem, intermediatePem, rootPem] = c.pems as [string, string, string];
    const pfx = opensslPkcs12(c.leaf.keyPem, [rootPem, leafPem, intermediatePem], profile).toString('base64');

    const read = readCertificateValue(pfx, PKCS12_CONTENT_TYPE, subject);

    expect(subjects(read.chain)).toEqual(expectedOrder(c));
    expect(read.pathLength).toBe(3);
    expect(read.privateKey?.asymmetricKeyType).toBe(SPECS[spec]?.kty === 'RSA' ? 'rsa' : 'ec');
    expect(read.chain[0]?.checkPrivateKey(read.privateKey as never)).toBe(true);
  });

  it('reads a PFX stored as a plain secret (no content type, base64 with line breaks), as akv2k8s example 09 does', () => {
    const c = chains['EC P-256'] as TestChain;
    const pfx = opensslPkcs12(c.leaf.keyPem, c.pems, '3des').toString('base64').replace(/(.{76})/g, '$1\r\n');
    expect(subjects(readCertificateValue(pfx, undefined, subject).chain)).toEqual(expectedOrder(c));
  });

  it('reads a PFX without a private key (key not exportable)', () => {
    const c = chains['RSA 2048'] as TestChain;
    const read = readCertificateValue(opensslPkcs12(undefined, c.pems, 'aes-256').toString('base64'), PKCS12_CONTENT_TYPE, subject);
    expect(read.privateKey).toBeUndefined();
    expect(subjects(read.chain)).toEqual(expectedOrder(c));
  });

  it('refuses, before deriving any key, a PFX asking for more key-derivation iterations than any export uses', () => {
    const c = chains['EC P-256'] as TestChain;
    for (const args of [['-iter', '150000'], ['-iter', '2048', '-maciter'], ['-nomac', '-iter', '150000']]) {
      const slow = opensslPkcs12(c.leaf.keyPem, c.pems, 'aes-256', '', args).toString('base64');
      if (args.includes('150000')) {
        const e = terminalErrorFrom(() => readCertificateValue(slow, PKCS12_CONTENT_TYPE, subject));
        expect(e.message).toContain('more than 100000 key-derivation iterations');
      } else {
        expect(readCertificateValue(slow, PKCS12_CONTENT_TYPE, subject).chain).toHaveLength(3);
      }
    }
  });

  it('refuses a password-protected PFX, base64 that is not PKCS#12, and text that is neither, without quoting them', () => {
    const c = chains['RSA 2048'] as TestChain;
    const protectedPfx = opensslPkcs12(c.leaf.keyPem, c.pems, 'aes-256', 'pw').toString('base64');
    const e1 = terminalErrorFrom(() => readCertificateValue(protectedPfx, PKCS12_CONTENT_TYPE, subject));
    expect(e1.code).toBe('InvalidCertificate');
    expect(e1.message).toMatch(/^Key Vault object 'my-certificate' version 0123456789abcdef0123456789abcdef .*integrity check/);
    expectNoSecretIn(e1, protectedPfx.slice(0, 40));

    const notPfx = Buffer.from('S3cr3t-not-a-pfx-value').toString('base64');
    const e2 = terminalErrorFrom(() => readCertificateValue(notPfx, PKCS12_CONTENT_TYPE, subject));
    expect(e2.code).toBe('InvalidCertificate');
    expectNoSecretIn(e2, notPfx);

    const e3 = terminalErrorFrom(() => readCertificateValue('S3cr3t value!', undefined, subject));
    expect(e3.message).toContain('neither PEM nor base64 PKCS#12');
    expectNoSecretIn(e3, 'S3cr3t');
  });
});

describe('readCertificateValue: PEM (application/x-pem-file)', () => {
  it.each(Object.keys(SPECS))('%s: a bundle with the leaf last and the key in the middle comes out leaf first', (spec) => {
    const c = chains[spec] as TestChain;
    const [leafPem, intermediatePem, rootPem] = c.pems as [string, string, string];
    const read = readCertificateValue(rootPem + c.leaf.keyPem + intermediatePem + leafPem, PEM_CONTENT_TYPE, subject);
    expect(subjects(read.chain)).toEqual(expectedOrder(c));
    expect(read.chain[0]?.checkPrivateKey(read.privateKey as never)).toBe(true);
  });

  it('reads PKCS#1 (RSA PRIVATE KEY) and SEC1 (EC PRIVATE KEY) keys as well as PKCS#8, CRLF line ends and OpenSSL bag attributes', () => {
    const rsa = chains['RSA 2048'] as TestChain;
    const ec = chains['EC P-384'] as TestChain;
    const pkcs1 = createPrivateKey(rsa.leaf.keyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const sec1 = createPrivateKey(ec.leaf.keyPem).export({ type: 'sec1', format: 'pem' }).toString();
    const bagAttributes = 'Bag Attributes\n    localKeyId: 01 02\nsubject=/CN=x\n';
    const rsaRead = readCertificateValue((bagAttributes + rsa.pems.join('') + pkcs1).replace(/\n/g, '\r\n'), undefined, subject);
    expect(rsaRead.privateKey?.asymmetricKeyType).toBe('rsa');
    expect(rsaRead.chain[0]?.subject).toBe(rsa.leaf.subject);
    // `openssl ecparam -genkey` writes EC PARAMETERS before the key: ignored.
    const ecRead = readCertificateValue(`-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n${sec1}${ec.pems.join('')}`, PEM_CONTENT_TYPE, subject);
    expect(ecRead.privateKey?.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
  });

  it('keeps certificates outside the issuer path after it, and drops duplicates', async () => {
    const c = chains['EC P-256'] as TestChain;
    const stranger = await issue('unrelated', { kty: 'EC' });
    const [leafPem, intermediatePem, rootPem] = c.pems as [string, string, string];
    const read = readCertificateValue(stranger.certPem + leafPem + rootPem + c.leaf.keyPem + leafPem + intermediatePem, PEM_CONTENT_TYPE, subject);
    expect(subjects(read.chain)).toEqual([...expectedOrder(c), stranger.subject]);
    expect(read.pathLength).toBe(3);
  });

  it('gives CertificateKeyMismatch when the key belongs to no certificate, never quoting the key', () => {
    const c = chains['RSA 2048'] as TestChain;
    const otherKey = (chains['EC P-256'] as TestChain).leaf.keyPem;
    const e = terminalErrorFrom(() => readCertificateValue(c.pems.join('') + otherKey, PEM_CONTENT_TYPE, subject));
    expect(e.code).toBe('CertificateKeyMismatch');
    expectNoSecretIn(e, keyBody(otherKey));
  });

  it.each([
    ['no certificate', (c: TestChain) => c.leaf.keyPem, 'holds no certificate'],
    ['two private keys', (c: TestChain) => c.leaf.keyPem + c.leaf.keyPem + c.pems.join(''), 'holds 2 private keys'],
    ['an encrypted private key', (c: TestChain) => c.pems.join('') + createPrivateKey(c.leaf.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString(), 'encrypted private key'],
    ['a corrupt private key', (c: TestChain) => `${c.pems.join('')}-----BEGIN PRIVATE KEY-----\nMIIBS3cr3t\n-----END PRIVATE KEY-----\n`, 'PRIVATE KEY block that cannot be read'],
    ['a corrupt certificate', (c: TestChain) => `${c.leaf.keyPem}-----BEGIN CERTIFICATE-----\nMIIBS3cr3t\n-----END CERTIFICATE-----\n`, 'CERTIFICATE block that cannot be read'],
  ])('refuses %s with InvalidCertificate, never quoting the value', (_name, build, message) => {
    const c = chains['RSA 2048'] as TestChain;
    const value = build(c);
    const e = terminalErrorFrom(() => readCertificateValue(value, PEM_CONTENT_TYPE, subject));
    expect(e.code).toBe('InvalidCertificate');
    expect(e.message).toContain(message);
    expectNoSecretIn(e, keyBody(c.leaf.keyPem));
    expectNoSecretIn(e, 'MIIBS3cr3t');
  });
});
