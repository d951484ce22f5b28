/** The certificate and key rows of the object-type table, and a `secret` written as kubernetes.io/tls, through computeDesiredOutput. */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { AkvsSpec } from '../../../../core/crd/azure-key-vault-secret.js';
import { computeDesiredOutput, type DesiredOutput, type KeyVaultValue } from '../../../../core/sync/compute-desired-output.js';
import { type TestChain, chain, opensslPkcs12 } from '../../../support/test-certificates.js';
import { anAkvs } from '../crd/akvs-builder.js';
import { expectNoSecretIn, terminalErrorFrom } from './terminal-error.js';

let rsa: TestChain;
let ec: TestChain;
let pfxBase64: string;
beforeAll(async () => {
  rsa = await chain('objects-rsa', { kty: 'RSA' }, 1);
  ec = await chain('objects-ec', { kty: 'EC' }, 1);
  pfxBase64 = opensslPkcs12(ec.leaf.keyPem, [...ec.pems].reverse(), 'legacy').toString('base64');
});

const version = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const certificate = (output: AkvsSpec['output']): Partial<AkvsSpec> => ({ vault: { name: 'my-kv', object: { name: 'my-certificate', type: 'certificate' } }, output });
const key = (output: AkvsSpec['output']): Partial<AkvsSpec> => ({ vault: { name: 'my-kv', object: { name: 'my-key', type: 'key' } }, output });
const pkcs12 = (): KeyVaultValue => ({ value: pfxBase64, contentType: 'application/x-pkcs12', version });
const pem = (c: TestChain): KeyVaultValue & { value: string } => ({ value: c.leaf.keyPem + [...c.pems].reverse().join(''), contentType: 'application/x-pem-file', version });
const data = (out: DesiredOutput): Record<string, Buffer> => (out.kind === 'None' ? {} : out.data);
const certsIn = (text: string): string[] => (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? []).map((p) => new X509Certificate(p).subject);
const keyBody = (c: TestChain): string => c.leaf.keyPem.split('\n')[1] ?? '';

describe('certificate objects', () => {
  it.each([
    ['PKCS#12 (EC)', () => pkcs12(), () => ec],
    ['PEM (RSA)', () => pem(rsa), () => rsa],
  ])('%s as kubernetes.io/tls: tls.crt chain leaf first, tls.key, no dataKey needed', (_name, value, material) => {
    const c = material();
    const out = computeDesiredOutput(anAkvs({ spec: certificate({ secret: { name: 'tls', type: 'kubernetes.io/tls', chainOrder: 'ensureserverfirst' } }) }), value());
    expect(out).toMatchObject({ kind: 'Secret', name: 'tls', secretType: 'kubernetes.io/tls' });
    const d = data(out);
    expect(Object.keys(d)).toEqual(['tls.crt', 'tls.key']);
    expect(certsIn(d['tls.crt']?.toString() ?? '')).toEqual([c.leaf.subject, ...c.issuers.map((i) => i.subject)]);
    expect(new X509Certificate(c.leaf.certPem).checkPrivateKey(createPrivateKey(d['tls.key']?.toString() ?? ''))).toBe(true);
  });

  it('with includeCaCert, adds ca.crt (the root)', () => {
    const out = computeDesiredOutput(anAkvs({ spec: certificate({ secret: { name: 'tls', type: 'kubernetes.io/tls', includeCaCert: true } }) }), pkcs12());
    expect(certsIn(data(out)['ca.crt']?.toString() ?? '')).toEqual([ec.issuers[1]?.subject]);
  });

  it('to a ConfigMap, or a Secret with no type: only the public leaf certificate, as PEM, under dataKey', () => {
    for (const output of [{ configMap: { name: 'ca', dataKey: 'cert.pem' } }, { secret: { name: 'ca', dataKey: 'cert.pem' } }]) {
      const out = computeDesiredOutput(anAkvs({ spec: certificate(output) }), pkcs12());
      expect(Object.keys(data(out))).toEqual(['cert.pem']);
      const text = data(out)['cert.pem']?.toString() ?? '';
      expect(certsIn(text)).toEqual([ec.leaf.subject]);
      expect(text).not.toContain('PRIVATE KEY');
    }
    expect(computeDesiredOutput(anAkvs({ spec: certificate({ configMap: { name: 'ca', dataKey: 'c' } }) }), pkcs12())).toMatchObject({ kind: 'ConfigMap' });
  });

  it('with an explicit Opaque (or custom) type: the raw value, PFX bytes or PEM text, as akv2k8s', () => {
    const pfx = computeDesiredOutput(anAkvs({ spec: certificate({ secret: { name: 'raw', type: 'Opaque', dataKey: 'cert.pfx' } }) }), pkcs12());
    expect(data(pfx)['cert.pfx']?.equals(Buffer.from(pfxBase64, 'base64'))).toBe(true);
    const text = computeDesiredOutput(anAkvs({ spec: certificate({ secret: { name: 'raw', type: 'example.com/pem', dataKey: 'all.pem' } }) }), pem(rsa));
    expect(data(text)['all.pem']?.toString()).toBe(pem(rsa).value);
  });

  it('a certificate whose key is not exportable, asked for as TLS: KeyNotExportable, nothing of the value in the error', () => {
    const value = { value: opensslPkcs12(undefined, ec.pems, 'aes-256').toString('base64'), contentType: 'application/x-pkcs12', version };
    const error = terminalErrorFrom(() => computeDesiredOutput(anAkvs({ spec: certificate({ secret: { name: 'tls', type: 'kubernetes.io/tls' } }) }), value));
    expect(error.code).toBe('KeyNotExportable');
    expectNoSecretIn(error, value.value.slice(40, 80));
    // …while its public certificate can still be written.
    expect(Object.keys(data(computeDesiredOutput(anAkvs({ spec: certificate({ configMap: { name: 'c', dataKey: 'c' } }) }), value)))).toEqual(['c']);
  });

  it('a corrupt value fails with InvalidCertificate naming the object, never quoting the key', () => {
    const value = { value: `${rsa.leaf.keyPem.slice(0, 200)}\n${rsa.pems.join('')}`, contentType: 'application/x-pem-file', version };
    const error = terminalErrorFrom(() => computeDesiredOutput(anAkvs({ spec: certificate({ secret: { name: 'tls', type: 'kubernetes.io/tls' } }) }), value));
    expect(error.message).toContain(`Key Vault object 'my-certificate' version ${version}`);
    expectNoSecretIn(error, keyBody(rsa));
  });
});

describe('secret objects as kubernetes.io/tls (akv2k8s example 09)', () => {
  it('a base64 PFX with no password (no content type) becomes tls.crt / tls.key', () => {
    const out = computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 'pfx', type: 'kubernetes.io/tls' } } } }), { value: pfxBase64, version });
    expect(Object.keys(data(out))).toEqual(['tls.crt', 'tls.key']);
    expect(data(out)['tls.key']?.toString()).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(certsIn(data(out)['tls.crt']?.toString() ?? '')[0]).toBe(ec.leaf.subject);
  });

  it('a PEM bundle (key and chain, any order) works too; a value that is neither fails without being quoted', () => {
    const out = computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 'pem', type: 'kubernetes.io/tls' } } } }), pem(rsa));
    expect(certsIn(data(out)['tls.crt']?.toString() ?? '')).toHaveLength(3);
    const error = terminalErrorFrom(() => computeDesiredOutput(anAkvs({ spec: { output: { secret: { name: 'x', type: 'kubernetes.io/tls' } } } }), { value: 'S3cr3t plain password', version }));
    expect(error.code).toBe('InvalidCertificate');
    expectNoSecretIn(error, 'S3cr3t');
  });
});

describe('key objects', () => {
  const rsaJwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const ecJwk = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const kid = 'https://my-kv.vault.azure.net/keys/my-key/abc';

  it('the public key as SPKI PEM under dataKey by default (akv2k8s example 03), RSA and EC', () => {
    for (const jwk of [rsaJwk, ecJwk]) {
      const out = computeDesiredOutput(anAkvs({ spec: key({ secret: { name: 'k', dataKey: 'signing-key' } }) }), { jwk: { ...jwk, kid }, version });
      const text = data(out)['signing-key']?.toString() ?? '';
      expect(text).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      expect(createPublicKey(text).export({ format: 'jwk' })).toEqual(jwk);
    }
  });

  it('as a JWK with output.keyFormat: jwk, to a ConfigMap too', () => {
    const out = computeDesiredOutput(anAkvs({ spec: key({ configMap: { name: 'jwks', dataKey: 'key.json' }, keyFormat: 'jwk' }) }), { jwk: { ...ecJwk, kid }, version });
    expect(out).toMatchObject({ kind: 'ConfigMap' });
    expect(JSON.parse(data(out)['key.json']?.toString() ?? '')).toEqual({ ...ecJwk, kid });
  });

  it('a secret value where a key is expected: UnsupportedObjectType', () => {
    expect(terminalErrorFrom(() => computeDesiredOutput(anAkvs({ spec: key({ secret: { name: 'k', dataKey: 'k' } }) }), { value: 'S3cr3t', version })).code).toBe('UnsupportedObjectType');
  });
});

describe('spec rules of the new fields', () => {
  it.each([
    ['keyFormat on a secret object', { output: { secret: { name: 's', dataKey: 'k' }, keyFormat: 'jwk' } }, 'spec.output.keyFormat: applies only to vault.object.type key'],
    ['includeCaCert on an Opaque Secret', certificate({ secret: { name: 's', dataKey: 'k', includeCaCert: true } }), 'spec.output.secret.includeCaCert: applies only'],
    ['includeCaCert for a key', key({ secret: { name: 's', type: 'kubernetes.io/tls', includeCaCert: true } }), 'spec.output.secret.includeCaCert: applies only'],
  ] as [string, Partial<AkvsSpec>, string][])('%s is InvalidSpec', (_name, spec, message) => {
    const error = terminalErrorFrom(() => computeDesiredOutput(anAkvs({ spec }), { value: 'v', version }));
    expect(error.code).toBe('InvalidSpec');
    expect(error.message).toContain(message);
  });
});
