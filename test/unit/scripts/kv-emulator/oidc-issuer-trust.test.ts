import { OidcIssuerTrust } from '../../../../scripts/kv-emulator/oidc-issuer-trust.js';

const ISSUER = 'https://127.0.0.1:6443';

describe('OIDC issuer trust', () => {
  it("takes the jwks_uri from the issuer's discovery document, fetched once", async () => {
    const fetched: string[] = [];
    const trust = new OidcIssuerTrust(async (url) => {
      fetched.push(url);
      return { issuer: ISSUER, jwks_uri: `${ISSUER}/openid/v1/jwks` };
    });

    await trust.trust(ISSUER);
    await trust.trust(ISSUER);

    expect(trust.get(ISSUER)).toEqual({ issuer: ISSUER, jwksUri: `${ISSUER}/openid/v1/jwks` });
    expect(fetched).toEqual([`${ISSUER}/.well-known/openid-configuration`]);
  });

  it('refuses a document naming another issuer or without an https key set, and an issuer never trusted', async () => {
    await expect(new OidcIssuerTrust(async () => ({ issuer: 'https://evil.test', jwks_uri: 'https://evil.test/keys' })).trust(ISSUER)).rejects.toThrow(/names issuer https:\/\/evil.test/);
    await expect(new OidcIssuerTrust(async () => ({ issuer: ISSUER, jwks_uri: 'http://127.0.0.1/keys' })).trust(ISSUER)).rejects.toThrow(/no https jwks_uri/);
    expect(() => new OidcIssuerTrust(async () => ({})).get(ISSUER)).toThrow(/not trusted: call trustOidcIssuer first/);
  });
});
