/**
 * The apps the local authority knows and how each may authenticate: a client secret, or a client assertion
 * (workload identity federation) matching one of the app's federated credentials by issuer, subject and audience.
 * An assertion's signature is verified when the credential has `jwks` or `jwksUri`; otherwise it is only decoded.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type JWTPayload, createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Clock } from '../../core/ports/clock.js';
import { AadError } from './aad-error.js';

export const DEFAULT_FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface FederatedCredential {
  clientId: string;
  issuer: string;
  subject: string;
  /** Default api://AzureADTokenExchange. */
  audience?: string;
  /** Where the issuer publishes its keys (e.g. the kube-apiserver's /openid/v1/jwks), fetched anonymously. */
  jwksUri?: string;
  /** The issuer's key set, given directly. */
  jwks?: object;
}

interface App {
  secretDigest: Buffer | undefined;
  readonly federated: FederatedCredential[];
}

const CLOCK_SKEW_SECONDS = 300;

export class ClientRegistry {
  private readonly apps = new Map<string, App>();
  private readonly remoteKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(private readonly clock: Clock) {}

  addSecret(clientId: string, secret: string): void {
    this.app(clientId).secretDigest = digest(secret);
  }

  addFederatedCredential(fc: FederatedCredential): void {
    if (!fc.clientId || !fc.issuer || !fc.subject) throw new Error('registerFederatedCredential needs clientId, issuer and subject');
    this.app(fc.clientId).federated.push({ ...fc, audience: fc.audience ?? DEFAULT_FEDERATION_AUDIENCE });
  }

  /** The client id the token request proves; throws AadError otherwise. */
  async authenticate(form: Readonly<Record<string, string | undefined>>): Promise<string> {
    const clientId = form.client_id ?? '';
    const app = this.apps.get(clientId.toLowerCase());
    if (!app) throw new AadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory.`);
    if (form.client_secret !== undefined) {
      if (!app.secretDigest || !timingSafeEqual(app.secretDigest, digest(form.client_secret))) {
        throw new AadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
      }
      return clientId;
    }
    if (form.client_assertion !== undefined) {
      if (form.client_assertion_type !== JWT_BEARER) throw new AadError(400, 'invalid_request', 50027, `client_assertion_type must be ${JWT_BEARER}.`);
      await this.checkAssertion(app, form.client_assertion);
      return clientId;
    }
    throw new AadError(400, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  private async checkAssertion(app: App, assertion: string): Promise<void> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(assertion);
    } catch {
      throw new AadError(400, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const byIssuer = app.federated.filter((fc) => fc.issuer === claims.iss);
    if (byIssuer.length === 0) throw new AadError(400, 'invalid_client', 700211, `No matching federated identity record found for presented assertion issuer '${String(claims.iss)}'.`);
    const bySubject = byIssuer.filter((fc) => fc.subject === claims.sub);
    if (bySubject.length === 0) throw new AadError(400, 'invalid_client', 700213, `No matching federated identity record found for presented assertion subject '${String(claims.sub)}'.`);
    const match = bySubject.find((fc) => audiences.includes(fc.audience));
    if (!match) throw new AadError(400, 'invalid_client', 700212, 'No matching federated identity record found for presented assertion audience.');
    const now = Math.floor(this.clock.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < now || (claims.nbf ?? 0) - CLOCK_SKEW_SECONDS > now) {
      throw new AadError(400, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }
    const keys = this.keySetOf(match);
    if (!keys) return;
    try {
      await jwtVerify(assertion, keys, { currentDate: new Date(this.clock.now()), clockTolerance: CLOCK_SKEW_SECONDS });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new AadError(400, 'invalid_client', 700027, `Client assertion failed signature validation (${typeof code === 'string' ? code : 'unknown'}).`);
    }
  }

  private keySetOf(fc: FederatedCredential): Parameters<typeof jwtVerify>[1] | undefined {
    if (fc.jwks) return createLocalJWKSet(fc.jwks as Parameters<typeof createLocalJWKSet>[0]);
    if (!fc.jwksUri) return undefined;
    let set = this.remoteKeySets.get(fc.jwksUri);
    if (!set) {
      set = createRemoteJWKSet(new URL(fc.jwksUri));
      this.remoteKeySets.set(fc.jwksUri, set);
    }
    return set;
  }

  private app(clientId: string): App {
    const key = clientId.toLowerCase();
    let app = this.apps.get(key);
    if (!app) {
      app = { secretDigest: undefined, federated: [] };
      this.apps.set(key, app);
    }
    return app;
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
