import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { PEM_CONTENT_TYPE, PKCS12_CONTENT_TYPE } from '../../../../core/certificates/certificate-value.js';
import { type PublicJwk, leafCertificatePem, publicKeyOutput, rawCertificateValue } from '../../../../core/certificates/public-outputs.js';
import { type TestChain, chain, opensslPkcs12 } from '../../../support/test-certificates.js';
import { expectNoSecretIn, terminalErrorFrom } from '../sync/terminal-error.js';

const subject = { objectName: 'signing-key', version: 'abc123' };
let c: TestChain;
beforeAll(async () => {
  c = await chain('public', { kty: 'EC' }, 0);
});

const jwkOf = (kind: 'rsa' | 'ec', curve?: string): PublicJwk => {
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: curve ?? 'P-256' });
  return pair.publicKey.export({ format: 'jwk' }) as PublicJwk;
};

describe('leafCertificatePem', () => {
  it("turns Key Vault's cer (DER) into one PEM certificate", () => {
    const der = new X509Certificate(c.leaf.certPem).raw;
    const pem = leafCertificatePem(der, subject).toString('utf8');
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    expect(new X509Certificate(pem).raw.equals(der)).toBe(true);
  });

  it('refuses bytes that are not DER X.509', () => {
    expect(terminalErrorFrom(() => leafCertificatePem(Buffer.from('not a certificate'), subject)).code).toBe('InvalidCertificate');
  });
});

describe('rawCertificateValue (explicit Opaque, as akv2k8s)', () => {
  it('PEM text as it is; PKCS#12 as the PFX bytes', () => {
    const pem = c.leaf.keyPem + c.leaf.certPem;
    expect(rawCertificateValue(pem, PEM_CONTENT_TYPE, subject).toString('utf8')).toBe(pem);
    const pfx = opensslPkcs12(c.leaf.keyPem, c.pems, '3des');
    expect(rawCertificateValue(pfx.toString('base64'), PKCS12_CONTENT_TYPE, subject).equals(pfx)).toBe(true);
  });

  it('refuses a PKCS#12 value that is not base64, without quoting it', () => {
    const e = terminalErrorFrom(() => rawCertificateValue('S3cr3t!*', PKCS12_CONTENT_TYPE, subject));
    expect(e.code).toBe('InvalidCertificate');
    expectNoSecretIn(e, 'S3cr3t');
  });
});

describe('publicKeyOutput', () => {
  it.each([
    ['RSA', jwkOf('rsa')],
    ['EC P-256', jwkOf('ec', 'P-256')],
    ['EC P-384', jwkOf('ec', 'P-384')],
    ['EC P-521', jwkOf('ec', 'P-521')],
  ])('%s: SPKI PEM of the same key', (_name, jwk) => {
    const pem = publicKeyOutput(jwk, 'pem', subject).toString('utf8');
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(createPublicKey(pem).export({ format: 'jwk' })).toEqual(createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'jwk' }));
  });

  it("accepts Key Vault's RSA-HSM / EC-HSM key types and P-256K curve name", () => {
    const rsa = jwkOf('rsa');
    expect(publicKeyOutput({ ...rsa, kty: 'RSA-HSM' }, 'pem', subject).toString()).toBe(publicKeyOutput(rsa, 'pem', subject).toString());
    const k = jwkOf('ec', 'secp256k1');
    const json = JSON.parse(publicKeyOutput({ ...k, kty: 'EC-HSM', crv: 'P-256K' }, 'jwk', subject).toString()) as Record<string, string>;
    expect(json).toEqual({ kty: 'EC', crv: 'secp256k1', x: k.x, y: k.y });
  });

  it('JWK on request: only the public members, plus the Key Vault kid', () => {
    const rsa = jwkOf('rsa');
    const kid = 'https://my-kv.vault.azure.net/keys/signing-key/abc123';
    const withPrivate = { ...rsa, kid, d: 'PRIVATE-d', p: 'PRIVATE-p', key_ops: ['sign'] } as PublicJwk;
    const json = publicKeyOutput(withPrivate, 'jwk', subject).toString('utf8');
    expect(JSON.parse(json)).toEqual({ kty: 'RSA', n: rsa.n, e: rsa.e, kid });
    expect(json).not.toContain('PRIVATE');
    const ec = jwkOf('ec', 'P-384');
    expect(JSON.parse(publicKeyOutput(ec, 'jwk', subject).toString('utf8'))).toEqual({ kty: 'EC', crv: 'P-384', x: ec.x, y: ec.y });
  });

  it('never writes a raw modulus: the output is text, never the bytes of n', () => {
    const rsa = jwkOf('rsa');
    const modulus = Buffer.from(rsa.n ?? '', 'base64url');
    for (const format of ['pem', 'jwk'] as const) expect(publicKeyOutput(rsa, format, subject).includes(modulus)).toBe(false);
  });

  it.each([
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0' } as PublicJwk, /"oct" key/],
    ['an unknown curve', { kty: 'EC', crv: 'P-192', x: 'AA', y: 'AA' } as PublicJwk, /curve "P-192"/],
    ['RSA without a modulus', { kty: 'RSA', e: 'AQAB' } as PublicJwk, /"RSA" key/],
    ['EC members that are no point on the curve', { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } as PublicJwk, /do not form a valid key/],
  ])('refuses %s with InvalidKey', (_name, jwk, message) => {
    const e = terminalErrorFrom(() => publicKeyOutput(jwk, 'pem', subject));
    expect(e.code).toBe('InvalidKey');
    expect(e.message).toMatch(message);
    expectNoSecretIn(e, 'c2VjcmV0');
  });
});
