/**
 * The local authority with the real @azure/identity credentials: WorkloadIdentityCredential with a federated JWT
 * signed here (the way a Kubernetes ServiceAccount token is), and the vault's validation of every access token.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkloadIdentityCredential } from '@azure/identity';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

const ISSUER = 'https://oidc.cluster.test/issuer';
const SUBJECT = 'system:serviceaccount:team-a:akvsync-agent';

let t: TrustedEmulator;
let clockOffsetMs = 0;
let dir: string;
let issuerKey: CryptoKey;
let issuerJwks: { keys: JWK[] };
let otherKey: CryptoKey;

beforeAll(async () => {
  t = await startTrustedEmulator({ clock: { now: () => Date.now() + clockOffsetMs } });
  dir = mkdtempSync(path.join(tmpdir(), 'kv-emulator-identity-'));
  const pair = await generateKeyPair('RS256', { extractable: true });
  issuerKey = pair.privateKey;
  issuerJwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'sa-key', alg: 'RS256', use: 'sig' }] };
  otherKey = (await generateKeyPair('RS256')).privateKey;
  t.emulator.setSecret('alpha', 'app-config', 'federated-read-value');
});
afterAll(async () => {
  await t.emulator.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  clockOffsetMs = 0;
});

async function serviceAccountToken(claims: { sub?: string; aud?: string; expiresInSeconds?: number; key?: CryptoKey } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'akvsync-agent' } } })
    .setProtectedHeader({ alg: 'RS256', kid: 'sa-key' })
    .setIssuer(ISSUER)
    .setSubject(claims.sub ?? SUBJECT)
    .setAudience(claims.aud ?? 'api://AzureADTokenExchange')
    .setIssuedAt(now - 10)
    .setNotBefore(now - 10)
    .setExpirationTime(now + (claims.expiresInSeconds ?? 600))
    .sign(claims.key ?? issuerKey);
}

function workloadCredential(clientId: string, token: string): WorkloadIdentityCredential {
  const tokenFilePath = path.join(dir, `${randomUUID()}.jwt`);
  writeFileSync(tokenFilePath, token);
  return new WorkloadIdentityCredential({
    tenantId: t.emulator.tenantId,
    clientId,
    tokenFilePath,
    authorityHost: t.emulator.authorityHost,
    disableInstanceDiscovery: true,
  });
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
}

describe('WorkloadIdentityCredential against the local authority', () => {
  it('exchanges a federated token signed by a registered key set and reads a secret', async () => {
    const clientId = randomUUID();
    t.emulator.registerFederatedCredential({ clientId, issuer: ISSUER, subject: SUBJECT, jwks: issuerJwks });
    const credential = workloadCredential(clientId, await serviceAccountToken());

    const secret = await t.secretClient('alpha', {}, credential).getSecret('app-config');

    expect(secret.value).toBe('federated-read-value');
  });

  it('refuses a wrong subject, a wrong audience and an expired assertion with the Entra error codes', async () => {
    const clientId = randomUUID();
    t.emulator.registerFederatedCredential({ clientId, issuer: ISSUER, subject: SUBJECT, jwks: issuerJwks });
    const scope = 'https://vault.azure.net/.default';

    const wrongSubject = workloadCredential(clientId, await serviceAccountToken({ sub: 'system:serviceaccount:team-b:intruder' }));
    expect(await rejection(wrongSubject.getToken(scope))).toContain('AADSTS700213');
    const wrongAudience = workloadCredential(clientId, await serviceAccountToken({ aud: 'https://kubernetes.default.svc' }));
    expect(await rejection(wrongAudience.getToken(scope))).toContain('AADSTS700212');
    const expired = workloadCredential(clientId, await serviceAccountToken({ expiresInSeconds: -3600 }));
    expect(await rejection(expired.getToken(scope))).toContain('AADSTS700024');
  });

  it('verifies the assertion signature when a key set is registered, and only decodes it otherwise', async () => {
    const verified = randomUUID();
    t.emulator.registerFederatedCredential({ clientId: verified, issuer: ISSUER, subject: SUBJECT, jwks: issuerJwks });
    const forged = await serviceAccountToken({ key: otherKey });
    expect(await rejection(workloadCredential(verified, forged).getToken('https://vault.azure.net/.default'))).toContain('AADSTS700027');

    const decodeOnly = randomUUID();
    t.emulator.registerFederatedCredential({ clientId: decodeOnly, issuer: ISSUER, subject: SUBJECT });
    const token = await workloadCredential(decodeOnly, forged).getToken('https://vault.azure.net/.default');
    expect(token.token.split('.')).toHaveLength(3);
  });

  it('refuses an unknown client id', async () => {
    const credential = workloadCredential(randomUUID(), await serviceAccountToken());
    expect(await rejection(credential.getToken('https://vault.azure.net/.default'))).toContain('AADSTS700016');
  });
});

describe('access token validation by the vault', () => {
  it('answers a token for another audience with 401 and the challenge', async () => {
    const storageToken = await t.credential.getToken('https://storage.azure.com/.default');
    const response = await fetch(`${t.emulator.vaultUrl('alpha')}/secrets/app-config?api-version=7.6`, {
      headers: { authorization: `Bearer ${storageToken.token}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer authorization="${t.emulator.authorityHost}/${t.emulator.tenantId}", resource="https://vault.azure.net"`,
    );
    expect(await response.json()).toEqual({ error: { code: 'Unauthorized', message: 'AKV10022: Invalid audience.' } });
  });

  it('answers an expired token with 401', async () => {
    const response = await t.vaultFetch('alpha', '/secrets/app-config?api-version=7.6');
    expect(response.status).toBe(200);
    clockOffsetMs = 2 * 3600 * 1000;
    const later = await t.vaultFetch('alpha', '/secrets/app-config?api-version=7.6');
    expect(later.status).toBe(401);
    expect(await later.json()).toMatchObject({ error: { message: 'AKV10021: Token is expired.' } });
  });

  it('answers a token signed by someone else with 401', async () => {
    const forged = await new SignJWT({ appid: t.emulator.clientId })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(`${t.emulator.authorityHost}/${t.emulator.tenantId}/v2.0`)
      .setAudience('https://vault.azure.net')
      .setExpirationTime('1h')
      .sign(otherKey);
    const response = await fetch(`${t.emulator.vaultUrl('alpha')}/secrets/app-config?api-version=7.6`, { headers: { authorization: `Bearer ${forged}` } });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('federated-read-value');
  });

  it('enforces a vault access list with 403 ForbiddenByRbac', async () => {
    const clientId = randomUUID();
    t.emulator.registerFederatedCredential({ clientId, issuer: ISSUER, subject: SUBJECT, jwks: issuerJwks });
    const tenant = t.secretClient('beta', {}, workloadCredential(clientId, await serviceAccountToken()));
    t.emulator.setSecret('beta', 'tenant-secret', 'tenant-value');
    t.emulator.restrictAccess('beta', [t.emulator.clientId]);
    try {
      const error = await tenant.getSecret('tenant-secret').then(
        () => undefined,
        (e: unknown) => e as { statusCode?: number; details?: unknown },
      );
      expect(error?.statusCode).toBe(403);
      expect(JSON.stringify(error?.details)).toContain('ForbiddenByRbac');
      expect((await t.secretClient('beta').getSecret('tenant-secret')).value).toBe('tenant-value');
      t.emulator.restrictAccess('beta', [clientId]);
      expect((await tenant.getSecret('tenant-secret')).value).toBe('tenant-value');
    } finally {
      t.emulator.restrictAccess('beta', undefined);
    }
  });
});
