import { TokenSigner } from '../../../../scripts/kv-emulator/token-signer.js';

const ISSUER = 'https://127.0.0.1:1/tenant/v2.0';
let nowMs = Date.parse('2026-06-01T12:00:00Z');
const clock = { now: () => nowMs };

async function issued(audience = 'https://vault.azure.net') {
  const signer = await TokenSigner.create(clock);
  const token = await signer.issue({ issuer: ISSUER, tenantId: 'tenant', clientId: 'client-1', audience, lifetimeSeconds: 3600 });
  return { signer, token: token.accessToken };
}

describe('TokenSigner', () => {
  afterEach(() => {
    nowMs = Date.parse('2026-06-01T12:00:00Z');
  });

  it('issues a token that verifies with its issuer and audience and carries the app id', async () => {
    const { signer, token } = await issued();
    const claims = await signer.verify(token, { issuer: ISSUER, audiences: ['https://vault.azure.net'] });
    expect(claims).toMatchObject({ appid: 'client-1', tid: 'tenant', aud: 'https://vault.azure.net', iss: ISSUER });
    expect(signer.jwks().keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(signer.jwks().keys[0]?.d).toBeUndefined();
  });

  it('refuses another audience, another issuer, an expired token and another signer', async () => {
    const { signer, token } = await issued('https://storage.azure.com');
    await expect(signer.verify(token, { issuer: ISSUER, audiences: ['https://vault.azure.net'] })).rejects.toMatchObject({ claim: 'aud' });
    await expect(signer.verify(token, { issuer: 'https://other', audiences: ['https://storage.azure.com'] })).rejects.toMatchObject({ claim: 'iss' });
    nowMs += 2 * 3600 * 1000;
    await expect(signer.verify(token, { issuer: ISSUER, audiences: ['https://storage.azure.com'] })).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    nowMs -= 2 * 3600 * 1000;
    const other = await TokenSigner.create(clock);
    await expect(other.verify(token, { issuer: ISSUER, audiences: ['https://storage.azure.com'] })).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});
