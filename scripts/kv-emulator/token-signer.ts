/**
 * Signs the access tokens the local authority issues (RS256, a key made at start-up) and verifies them on
 * every vault request: signature, issuer, audience, expiry and not-before against the emulator's clock.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type CryptoKey, type JWK, type JWTPayload, SignJWT, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import type { Clock } from '../../core/ports/clock.js';

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  /** Epoch seconds, as Entra ID's v1 answer reports them. */
  readonly notBefore: number;
  readonly expiresOn: number;
}

export interface TokenClaims {
  issuer: string;
  tenantId: string;
  clientId: string;
  audience: string;
  lifetimeSeconds: number;
  /** The token format: v2.0 endpoint tokens (default) or v1 endpoint tokens (`ver` "1.0"). */
  version?: '1.0' | '2.0';
}

export class TokenSigner {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly publicJwk: JWK,
    private readonly clock: Clock,
  ) {}

  static async create(clock: Clock): Promise<TokenSigner> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = createHash('sha256').update(JSON.stringify([jwk.n, jwk.e])).digest('base64url').slice(0, 16);
    return new TokenSigner(privateKey, publicKey, { ...jwk, kid, alg: 'RS256', use: 'sig' }, clock);
  }

  /** The signing key set, as served at the authority's `jwks_uri`. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async issue(claims: TokenClaims): Promise<IssuedToken> {
    const now = Math.floor(this.clock.now() / 1000);
    const objectId = uuidFrom(claims.clientId);
    const accessToken = await new SignJWT({ tid: claims.tenantId, appid: claims.clientId, azp: claims.clientId, oid: objectId, idtyp: 'app', ver: claims.version ?? '2.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.publicJwk.kid ?? '' })
      .setIssuer(claims.issuer)
      .setAudience(claims.audience)
      .setSubject(objectId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + claims.lifetimeSeconds)
      .sign(this.privateKey);
    return { accessToken, expiresIn: claims.lifetimeSeconds, notBefore: now, expiresOn: now + claims.lifetimeSeconds };
  }

  /** The verified claims; throws (a jose error with a `code`) when the token is not acceptable. */
  async verify(token: string, expected: { issuer: string | string[]; audiences: string[] }): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, {
      issuer: expected.issuer,
      audience: expected.audiences,
      algorithms: ['RS256'],
      currentDate: new Date(this.clock.now()),
    });
    return payload;
  }
}

/** A stable GUID-shaped object id for an app, so tokens for the same client carry the same `oid`. */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
