/**
 * Certificates and keys: a certificate's backing secret read through SecretClient as PEM and as PKCS#12,
 * `outContentType` conversion, and the /certificates and /keys endpoints read with a real token over HTTPS.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { issueCertificate } from '../../../scripts/local-stack/tls.js';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

let t: TrustedEmulator;
beforeAll(async () => {
  t = await startTrustedEmulator();
});
afterAll(async () => {
  await t.emulator.close();
});

function pkcs12Of(keyPem: string, certPem: string, password: string): string {
  const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPem), [forge.pki.certificateFromPem(certPem)], password, { algorithm: '3des' });
  return forge.util.encode64(forge.asn1.toDer(asn1).getBytes());
}

function certificatesIn(pfxBase64: string): string[] {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(pfxBase64)), '');
  const bags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag as string] ?? [];
  return bags.flatMap((b) => (b.cert ? [forge.pki.certificateToPem(b.cert)] : []));
}

describe('certificates', () => {
  it('serves a PEM certificate as its backing secret (key then certificate) and at /certificates', async () => {
    const issued = issueCertificate(t.ca, { hosts: ['app.example.test'] });
    const { version } = t.emulator.importCertificate('alpha', 'ingress-tls', { pem: issued.certPem + issued.keyPem });

    const secret = await t.secretClient('alpha').getSecret('ingress-tls');
    expect(secret.properties.version).toBe(version);
    expect(secret.properties.contentType).toBe('application/x-pem-file');
    expect(secret.properties.managed).toBe(true);
    expect(secret.properties.certificateKeyId).toBe(`${t.emulator.vaultUrl('alpha')}/keys/ingress-tls/${version}`);
    const value = secret.value ?? '';
    expect(value.indexOf('-----BEGIN PRIVATE KEY-----')).toBe(0);
    expect(value).toContain(issued.certPem.replace(/\r\n/g, '\n').trim());
    expect(createPrivateKey(value).export({ format: 'jwk' }).n).toBe(createPrivateKey(issued.keyPem).export({ format: 'jwk' }).n);

    const response = await t.vaultFetch('alpha', '/certificates/ingress-tls?api-version=7.6');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    const der = new X509Certificate(issued.certPem).raw;
    expect(body).toMatchObject({
      id: `${t.emulator.vaultUrl('alpha')}/certificates/ingress-tls/${version}`,
      kid: `${t.emulator.vaultUrl('alpha')}/keys/ingress-tls/${version}`,
      sid: `${t.emulator.vaultUrl('alpha')}/secrets/ingress-tls/${version}`,
      cer: der.toString('base64'),
      x5t: createHash('sha1').update(der).digest('base64url'),
      policy: { secret_props: { contentType: 'application/x-pem-file' } },
    });
    expect(JSON.stringify(body)).not.toContain('PRIVATE KEY');
  });

  it('serves a PKCS#12 certificate as base64 PFX, converts with outContentType, and keeps versions', async () => {
    const first = issueCertificate(t.ca, { hosts: ['v1.example.test'] });
    const second = issueCertificate(t.ca, { hosts: ['v2.example.test'] });
    const v1 = t.emulator.importCertificate('alpha', 'client-cert', { pfxBase64: pkcs12Of(first.keyPem, first.certPem, 'import-pass'), password: 'import-pass' });
    const v2 = t.emulator.importCertificate('alpha', 'client-cert', { pfxBase64: pkcs12Of(second.keyPem, second.certPem, '') });

    const latest = await t.secretClient('alpha').getSecret('client-cert');
    expect(latest.properties.contentType).toBe('application/x-pkcs12');
    expect(certificatesIn(latest.value ?? '').map((c) => new X509Certificate(c).subject)).toEqual(['CN=v2.example.test']);
    const old = await t.secretClient('alpha').getSecret('client-cert', { version: v1.version });
    expect(certificatesIn(old.value ?? '').map((c) => new X509Certificate(c).subject)).toEqual(['CN=v1.example.test']);

    const asPem = await t.vaultFetch('alpha', `/secrets/client-cert/${v2.version}?api-version=7.6&outContentType=application/x-pem-file`);
    const pemBody = (await asPem.json()) as { value: string; contentType: string };
    expect(pemBody.contentType).toBe('application/x-pem-file');
    expect(pemBody.value).toContain(new X509Certificate(second.certPem).toString().trim());

    const byVersion = (await (await t.vaultFetch('alpha', `/certificates/client-cert/${v1.version}?api-version=7.6`)).json()) as { cer: string };
    expect(byVersion.cer).toBe(new X509Certificate(first.certPem).raw.toString('base64'));
  });

  it('converts a PEM import to PKCS#12 when asked, and refuses the secrets API on a certificate secret', async () => {
    const issued = issueCertificate(t.ca, { hosts: ['converted.example.test'] });
    t.emulator.importCertificate('beta', 'as-pfx', { pem: issued.keyPem + issued.certPem, contentType: 'application/x-pkcs12' });
    const secret = await t.secretClient('beta').getSecret('as-pfx');
    expect(certificatesIn(secret.value ?? '')).toHaveLength(1);

    const refused = await t.secretClient('beta').setSecret('as-pfx', 'overwrite').then(
      () => undefined,
      (e: unknown) => e as { statusCode?: number },
    );
    expect(refused?.statusCode).toBe(403);
    expect((await t.secretClient('beta').getSecret('as-pfx')).value).toBe(secret.value);
  });

  it('refuses a certificate without a matching private key and stores nothing', () => {
    const a = issueCertificate(t.ca, { hosts: ['a.test'] });
    const b = issueCertificate(t.ca, { hosts: ['b.test'] });
    expect(() => t.emulator.importCertificate('alpha', 'mismatched', { pem: a.certPem + b.keyPem })).toThrow(/No certificate matches the private key/);
    expect(() => t.emulator.importCertificate('alpha', 'mismatched', { pem: a.certPem })).toThrow(/private key/);
  });
});

describe('keys', () => {
  it('creates RSA and EC keys and serves their public JWK by name and version', async () => {
    const rsa = t.emulator.createKey('alpha', 'wrap-key', { kty: 'RSA' });
    const ec = t.emulator.createKey('alpha', 'sign-key', { kty: 'EC', curve: 'P-384' });

    const rsaBody = (await (await t.vaultFetch('alpha', '/keys/wrap-key?api-version=7.6')).json()) as { key: Record<string, unknown> };
    expect(rsaBody.key).toMatchObject({ kid: `${t.emulator.vaultUrl('alpha')}/keys/wrap-key/${rsa.version}`, kty: 'RSA', e: 'AQAB' });
    expect(rsaBody.key.d).toBeUndefined();
    expect(() => createPublicKey({ key: rsaBody.key as never, format: 'jwk' })).not.toThrow();

    const ecBody = (await (await t.vaultFetch('alpha', `/keys/sign-key/${ec.version}?api-version=7.6`)).json()) as { key: Record<string, unknown> };
    expect(ecBody.key).toMatchObject({ kty: 'EC', crv: 'P-384', key_ops: ['sign', 'verify'] });
    expect(ecBody.key.d).toBeUndefined();
  });

  it('serves a certificate backing key and answers unknown keys with KeyNotFound', async () => {
    const issued = issueCertificate(t.ca, { hosts: ['backed.test'] });
    const { version } = t.emulator.importCertificate('beta', 'backed', { pem: issued.keyPem + issued.certPem });
    const body = (await (await t.vaultFetch('beta', '/keys/backed?api-version=7.6')).json()) as { key: { kid: string; n: string }; managed: boolean };
    expect(body.managed).toBe(true);
    expect(body.key.kid).toBe(`${t.emulator.vaultUrl('beta')}/keys/backed/${version}`);
    expect(body.key.n).toBe(createPrivateKey(issued.keyPem).export({ format: 'jwk' }).n);

    const missing = await t.vaultFetch('beta', '/keys/nope?api-version=7.6');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'KeyNotFound' } });
  });
});
