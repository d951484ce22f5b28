import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AadError } from '../../../../scripts/kv-emulator/aad-error.js';
import { ClientRegistry, type FederatedCredential, JWT_BEARER } from '../../../../scripts/kv-emulator/client-registry.js';

const NOW_MS = Date.parse('2026-06-01T12:00:00Z');
const clock = { now: () => NOW_MS };
const ISSUER = 'https://issuer.test';
const SUBJECT = 'system:serviceaccount:ns:sa';

let key: CryptoKey;
let jwks: { keys: JWK[] };
let otherKey: CryptoKey;
beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1' }] };
  otherKey = (await generateKeyPair('RS256')).privateKey;
});

async function assertion(overrides: { iss?: string; sub?: string; aud?: string | string[]; exp?: number; signWith?: CryptoKey } = {}): Promise<string> {
  const now = Math.floor(NOW_MS / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(overrides.iss ?? ISSUER)
    .setSubject(overrides.sub ?? SUBJECT)
    .setAudience(overrides.aud ?? 'api://AzureADTokenExchange')
    .setIssuedAt(now)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(overrides.signWith ?? key);
}

function registry(fc: Partial<FederatedCredential> = {}): ClientRegistry {
  const r = new ClientRegistry(clock);
  r.addSecret('app-1', 'correct-secret-value');
  r.addFederatedCredential({ clientId: 'fed-1', issuer: ISSUER, subject: SUBJECT, jwks, ...fc });
  return r;
}

async function aadCodeOf(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AadError)) throw new Error(`expected an AadError, got ${String(error)}`);
  return error.aadCode;
}

describe('ClientRegistry', () => {
  it('accepts the right client secret and refuses a wrong one without echoing it', async () => {
    const r = registry();
    await expect(r.authenticate({ client_id: 'APP-1', client_secret: 'correct-secret-value' })).resolves.toBe('APP-1');
    const error = await r.authenticate({ client_id: 'app-1', client_secret: 'wrong-secret-value' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AadError);
    expect(error).toMatchObject({ status: 401, error: 'invalid_client', aadCode: 7000215 });
    expect(JSON.stringify((error as AadError).body('t', 'ts'))).not.toContain('wrong-secret-value');
  });

  it('refuses unknown clients and requests with no credential', async () => {
    const r = registry();
    expect(await aadCodeOf(r.authenticate({ client_id: 'nobody', client_secret: 'x' }))).toBe(700016);
    expect(await aadCodeOf(r.authenticate({ client_id: 'app-1' }))).toBe(7000218);
  });

  it('accepts a federated assertion matching issuer, subject and audience with a valid signature', async () => {
    const r = registry();
    await expect(r.authenticate({ client_id: 'fed-1', client_assertion_type: JWT_BEARER, client_assertion: await assertion({ aud: ['other', 'api://AzureADTokenExchange'] }) })).resolves.toBe('fed-1');
  });

  it.each([
    ['issuer', { iss: 'https://elsewhere.test' }, 700211],
    ['subject', { sub: 'system:serviceaccount:ns:other' }, 700213],
    ['audience', { aud: 'api://other' }, 700212],
    ['expiry', { exp: Math.floor(NOW_MS / 1000) - 3600 }, 700024],
  ])('refuses a wrong %s with the Entra error code', async (_what, claims, code) => {
    const r = registry();
    expect(await aadCodeOf(r.authenticate({ client_id: 'fed-1', client_assertion_type: JWT_BEARER, client_assertion: await assertion(claims) }))).toBe(code);
  });

  it('checks the signature only when the credential has keys', async () => {
    const forged = await assertion({ signWith: otherKey });
    expect(await aadCodeOf(registry().authenticate({ client_id: 'fed-1', client_assertion_type: JWT_BEARER, client_assertion: forged }))).toBe(700027);
    const decodeOnly = registry({ jwks: undefined });
    await expect(decodeOnly.authenticate({ client_id: 'fed-1', client_assertion_type: JWT_BEARER, client_assertion: forged })).resolves.toBe('fed-1');
  });

  it('refuses a malformed assertion and a wrong assertion type', async () => {
    const r = registry();
    expect(await aadCodeOf(r.authenticate({ client_id: 'fed-1', client_assertion_type: JWT_BEARER, client_assertion: 'not.a.jwt' }))).toBe(50027);
    expect(await aadCodeOf(r.authenticate({ client_id: 'fed-1', client_assertion_type: 'saml', client_assertion: await assertion() }))).toBe(50027);
  });

  it('requires clientId, issuer and subject to register a federated credential', () => {
    expect(() => new ClientRegistry(clock).addFederatedCredential({ clientId: 'x', issuer: '', subject: 's' })).toThrow(/issuer/);
  });
});
