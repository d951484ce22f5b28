/**
 * Certificates and keys through the real @azure/keyvault-certificates and @azure/keyvault-keys clients: import with a
 * policy (exportable or not, PEM or PKCS#12), RSA and EC, versions, listings, disable, and the events they emit.
 */
import { X509Certificate } from 'node:crypto';
import { PKCS12_CONTENT_TYPE, readCertificateValue } from '../../../core/certificates/certificate-value.js';
import { type TestChain, chain, opensslPkcs12 } from '../../support/test-certificates.js';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

let t: TrustedEmulator;
let rsa: TestChain;
let ec: TestChain;
beforeAll(async () => {
  t = await startTrustedEmulator();
  rsa = await chain('sdk-rsa', { kty: 'RSA' }, 1);
  ec = await chain('sdk-ec', { kty: 'EC', curve: 'P-384' }, 1);
  // Events are logged (as dropped) without a network round trip.
  t.emulator.subscribe('http://127.0.0.1:9/events');
  t.emulator.dropEvents(true);
});
afterAll(async () => {
  await t.emulator.close();
});

type RestFailure = { statusCode?: number; code?: string };
const statusOf = async (p: Promise<unknown>): Promise<number | undefined> => p.then(() => 200, (e: unknown) => (e as RestFailure).statusCode);
const subject = { objectName: 'x', version: 'y' };

describe('CertificateClient', () => {
  it('imports an EC certificate as PEM, not exportable: the policy says so and the secret holds the chain without the key', async () => {
    const client = t.certificateClient('alpha');
    const pem = ec.leaf.keyPem + [...ec.pems].reverse().join('');
    // CertificateClient.importCertificate 4.10 drops `options.policy` (it spreads `policy` where its serializer reads
    // `certificatePolicy`), so the policy goes over REST as Key Vault documents it; reads use the SDK.
    const imported = await t.vaultFetch('alpha', '/certificates/ec-pem/import?api-version=2025-07-01', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: pem, policy: { key_props: { exportable: false }, secret_props: { contentType: 'application/x-pem-file' } } }),
    });
    expect(imported.status).toBe(200);

    const cert = await client.getCertificate('ec-pem');
    expect(cert.policy).toMatchObject({ exportable: false, keyType: 'EC', keyCurveName: 'P-384', contentType: 'application/x-pem-file' });
    expect(Buffer.from(cert.cer ?? new Uint8Array()).equals(new X509Certificate(ec.leaf.certPem).raw)).toBe(true);
    expect((await client.getCertificatePolicy('ec-pem')).exportable).toBe(false);

    const secret = await t.secretClient('alpha').getSecret('ec-pem');
    expect(secret.properties.contentType).toBe('application/x-pem-file');
    expect(secret.value).not.toContain('PRIVATE KEY');
    const read = readCertificateValue(secret.value ?? '', secret.properties.contentType, subject);
    expect(read.privateKey).toBeUndefined();
    expect(read.chain.map((c) => c.subject)).toEqual([ec.leaf.subject, ...ec.issuers.map((c) => c.subject)]);
  });

  it('imports a password-protected RSA PFX; the secret is a PKCS#12 with the key; versions and listings follow', async () => {
    const client = t.certificateClient('alpha');
    const pfx = opensslPkcs12(rsa.leaf.keyPem, rsa.pems, 'aes-256', 'import-pass');
    const v1 = await client.importCertificate('rsa-pfx', pfx, { password: 'import-pass' });
    const v2 = await client.importCertificate('rsa-pfx', opensslPkcs12(ec.leaf.keyPem, ec.pems, 'legacy'));

    const secret = await t.secretClient('alpha').getSecret('rsa-pfx', { version: v1.properties.version ?? '' });
    expect(secret.properties.contentType).toBe(PKCS12_CONTENT_TYPE);
    const read = readCertificateValue(secret.value ?? '', PKCS12_CONTENT_TYPE, subject);
    expect(read.privateKey?.asymmetricKeyType).toBe('rsa');
    expect(read.chain[0]?.subject).toBe(rsa.leaf.subject);

    expect((await client.getCertificate('rsa-pfx')).properties.version).toBe(v2.properties.version);
    const old = await client.getCertificateVersion('rsa-pfx', v1.properties.version ?? '');
    expect(Buffer.from(old.cer ?? new Uint8Array()).equals(new X509Certificate(rsa.leaf.certPem).raw)).toBe(true);
    const versions = [];
    for await (const p of client.listPropertiesOfCertificateVersions('rsa-pfx')) versions.push(p.version);
    expect(versions).toEqual([v1.properties.version, v2.properties.version]);
    const names = [];
    for await (const p of client.listPropertiesOfCertificates()) names.push([p.name, p.version, typeof p.updatedOn?.getTime()]);
    expect(names).toEqual(expect.arrayContaining([['rsa-pfx', undefined, 'number'], ['ec-pem', undefined, 'number']]));
  });

  it('disabling a certificate disables its secret and key (403); its metadata stays readable; no event', async () => {
    const client = t.certificateClient('beta');
    await client.importCertificate('to-disable', opensslPkcs12(rsa.leaf.keyPem, [rsa.leaf.certPem], 'unencrypted'));
    const before = t.emulator.deliveries.length;
    await client.updateCertificateProperties('to-disable', '', { enabled: false });
    expect((await client.getCertificate('to-disable')).properties.enabled).toBe(false);
    expect(await statusOf(t.secretClient('beta').getSecret('to-disable'))).toBe(403);
    expect(await statusOf(t.keyClient('beta').getKey('to-disable'))).toBe(403);
    expect(t.emulator.deliveries.length).toBe(before);
  });

  it('answers an unknown certificate with 404 CertificateNotFound', async () => {
    const error = await t.certificateClient('alpha').getCertificate('nope').catch((e: unknown) => e as RestFailure);
    expect(error).toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
  });
});

describe('KeyClient', () => {
  it('creates RSA and EC keys, lists them with certificate-backed ones, versions them and disables them', async () => {
    const client = t.keyClient('beta');
    const rsaKey = await client.createRsaKey('wrap', { keySize: 3072 });
    const ecKey = await client.createEcKey('sign', { curve: 'P-521' });
    expect(rsaKey.key?.n?.length).toBe(384);
    expect(rsaKey.key?.d).toBeUndefined();
    expect(ecKey.key).toMatchObject({ kty: 'EC', crv: 'P-521' });
    const second = await client.createEcKey('sign', { curve: 'P-256' });

    expect((await client.getKey('sign')).properties.version).toBe(second.properties.version);
    expect((await client.getKey('sign', { version: ecKey.properties.version ?? '' })).key?.crv).toBe('P-521');
    const versions = [];
    for await (const p of client.listPropertiesOfKeyVersions('sign')) versions.push(p.version);
    expect(versions).toEqual([ecKey.properties.version, second.properties.version]);
    const listed = [];
    for await (const p of client.listPropertiesOfKeys()) listed.push([p.name, p.managed ?? false]);
    expect(listed).toEqual(expect.arrayContaining([['wrap', false], ['sign', false], ['to-disable', true]]));

    await client.updateKeyProperties('wrap', rsaKey.properties.version ?? '', { enabled: false });
    expect(await statusOf(client.getKey('wrap'))).toBe(403);
  });

  it('refuses unsupported sizes and curves with 400', async () => {
    expect(await statusOf(t.keyClient('alpha').createRsaKey('bad', { keySize: 1024 }))).toBe(400);
    expect(await statusOf(t.keyClient('alpha').createKey('bad', 'oct'))).toBe(400);
  });
});

describe('events', () => {
  it('a certificate imported and a key created through the SDKs emit CertificateNewVersionCreated / KeyNewVersionCreated only', async () => {
    const before = t.emulator.deliveries.length;
    const cert = await t.certificateClient('alpha').importCertificate('evented', opensslPkcs12(ec.leaf.keyPem, ec.pems, '3des'));
    const key = await t.keyClient('alpha').createEcKey('evented-key');
    const events = t.emulator.deliveries.slice(before).map((d) => d.event);
    expect(events.map((e) => [e.eventType, e.data.ObjectName, e.data.Version])).toEqual([
      ['Microsoft.KeyVault.CertificateNewVersionCreated', 'evented', cert.properties.version],
      ['Microsoft.KeyVault.KeyNewVersionCreated', 'evented-key', key.properties.version],
    ]);
    expect(events[0]?.data.EXP).toBe(Math.floor(new X509Certificate(ec.leaf.certPem).validToDate.getTime() / 1000));
    expect(JSON.stringify(events)).not.toContain(ec.leaf.keyPem.split('\n')[1]);
  });
});
