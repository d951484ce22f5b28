/**
 * Entra ID's v1 token endpoint (`POST /{tenant}/oauth2/token` with `resource`) as a v1 client uses it: adal-node
 * (the v1 library, validateAuthority off) gets a token that the vault accepts; the raw answer has Entra's v1 shape
 * with its numbers as strings; errors carry AADSTS codes; the request counts under the client that made it.
 */
import { AuthenticationContext, type TokenResponse } from 'adal-node';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

const VAULT = 'https://vault.azure.net';
let t: TrustedEmulator;

beforeAll(async () => {
  t = await startTrustedEmulator();
  t.emulator.setSecret('alpha', 'v1-read', 'v1-read-value');
});
afterAll(async () => {
  await t.emulator.close();
});

function adalToken(authority: string, clientId: string, clientSecret: string): Promise<TokenResponse> {
  const context = new AuthenticationContext(authority, false);
  return new Promise((resolve, reject) => {
    context.acquireTokenWithClientCredentials(VAULT, clientId, clientSecret, (error, response) => {
      if (error) reject(error);
      else resolve(response as TokenResponse);
    });
  });
}

function tokenForm(fields: Record<string, string>): Promise<Response> {
  return fetch(`${t.emulator.authorityHost}/${t.emulator.tenantId}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('the v1 token endpoint', () => {
  it('gives adal-node a token the vault accepts, counted under its client id', async () => {
    const app = t.emulator.registerClient();
    t.emulator.resetCounters();
    const token = await adalToken(`${t.emulator.authorityHost}/${t.emulator.tenantId}`, app.clientId, app.clientSecret);
    expect(token.tokenType).toBe('Bearer');
    expect(token.resource).toBe(VAULT);

    const read = await fetch(`${t.emulator.vaultUrl('alpha')}/secrets/v1-read?api-version=7.4`, { headers: { authorization: `Bearer ${token.accessToken}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { value: string }).value).toBe('v1-read-value');
    expect(t.emulator.countersByClient()[app.clientId]).toEqual({ '(authority) token 200': 1, 'alpha getSecret 200': 1 });
  });

  it("answers in Entra's v1 shape, numbers as strings, with a v1 token for the resource", async () => {
    const app = t.emulator.registerClient();
    const response = await tokenForm({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, resource: VAULT });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'expires_on', 'ext_expires_in', 'not_before', 'resource', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: '3600', resource: VAULT });
    const expiresOn = Number(body.expires_on);
    expect(typeof body.expires_on).toBe('string');
    expect(expiresOn - Number(body.not_before)).toBe(3600);
    expect(Math.abs(expiresOn - 3600 - Date.now() / 1000)).toBeLessThan(60);
    const claims = JSON.parse(Buffer.from(String(body.access_token).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: VAULT, appid: app.clientId, ver: '1.0', iss: `https://sts.windows.net/${t.emulator.tenantId}/` });
  });

  it('refuses a missing resource, a wrong secret and another tenant with AADSTS codes and no token', async () => {
    const app = t.emulator.registerClient();
    const base = { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret };
    const cases: [Record<string, string>, number, number][] = [
      [base, 400, 900144],
      [{ ...base, resource: VAULT, client_secret: 'not-this-apps-secret' }, 401, 7000215],
      [{ ...base, resource: VAULT, grant_type: 'password' }, 400, 70003],
    ];
    for (const [form, status, code] of cases) {
      const response = await tokenForm(form);
      const body = (await response.json()) as { error_codes?: number[]; access_token?: string };
      expect([response.status, body.error_codes, body.access_token]).toEqual([status, [code], undefined]);
    }
    const otherTenant = await fetch(`${t.emulator.authorityHost}/contoso.onmicrosoft.com/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...base, resource: VAULT }).toString(),
    });
    expect(otherTenant.status).toBe(400);
    expect(((await otherTenant.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });
});
