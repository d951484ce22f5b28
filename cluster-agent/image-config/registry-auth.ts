/**
 * Answers a registry's `WWW-Authenticate` challenge with one way of authenticating (an "attempt"):
 * - Basic: a pull secret's username/password;
 * - Bearer (the token flow): `GET <realm>?service=…&scope=repository:<repo>:pull`, anonymous or with a pull
 *   secret's Basic credentials; a pull secret's `identitytoken` is a refresh token, `POST`ed to the realm;
 * - the agent's workload identity for Azure Container Registry: an Entra access token is exchanged at
 *   `POST https://<registry>/oauth2/exchange` for an ACR refresh token, which the realm turns into an access token.
 * Registry tokens are cached until shortly before they expire; nothing here logs or reports a credential.
 */
import { createHash } from 'node:crypto';
import type { AuthChallenge } from '../../core/images/auth-challenge.js';
import type { RegistryCredential } from '../../core/images/pull-secret-credentials.js';
import { TtlCache } from '../../core/images/ttl-cache.js';
import type { Clock } from '../../core/ports/clock.js';
import type { LookupContext, RegistryHttp } from './registry-http.js';

export type AuthAttempt =
  | { readonly kind: 'secret'; readonly credential: RegistryCredential }
  | { readonly kind: 'workload-identity' }
  | { readonly kind: 'anonymous' };

export const attemptLabel = (a: AuthAttempt): string => (a.kind === 'secret' ? a.credential.source : a.kind === 'workload-identity' ? 'workload identity (ACR exchange)' : 'anonymous');

/** A stable in-memory identity for an attempt (a hash, so the cache holds no password in its keys). */
export const attemptKey = (a: AuthAttempt): string =>
  a.kind === 'secret'
    ? `secret:${createHash('sha256').update(`${a.credential.username}\0${a.credential.password}\0${a.credential.identityToken ?? ''}`).digest('hex')}`
    : a.kind;

export interface RegistryAuthOptions {
  readonly http: RegistryHttp;
  readonly clock: Clock;
  /** An Entra access token for `https://containerregistry.azure.net/.default` (the agent's workload identity). */
  readonly entraToken: (() => Promise<string>) | undefined;
  readonly entraTenantId: string | undefined;
  readonly maxTokenBytes: number;
}

export type AuthResult = { readonly authorization: string } | { readonly refused: string };

const TOKEN_CACHE_CAP_MS = 10 * 60_000;

export class RegistryAuth {
  readonly #options: RegistryAuthOptions;
  readonly #tokens: TtlCache<{ authorization: string; expiresAt: number }>;
  readonly #acrRefreshTokens: TtlCache<string>;

  constructor(options: RegistryAuthOptions) {
    this.#options = options;
    this.#tokens = new TtlCache(options.clock, TOKEN_CACHE_CAP_MS, 1000);
    this.#acrRefreshTokens = new TtlCache(options.clock, TOKEN_CACHE_CAP_MS, 100);
  }

  async authorize(ctx: LookupContext, registryHost: string, repository: string, challenges: readonly AuthChallenge[], attempt: AuthAttempt): Promise<AuthResult> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return this.#bearer(ctx, registryHost, repository, bearer, attempt);
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (attempt.kind !== 'secret' || attempt.credential.identityToken !== undefined) return { refused: 'the registry asks for Basic credentials' };
      const { username, password } = attempt.credential;
      return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    }
    return { refused: 'the registry sent no Bearer or Basic challenge' };
  }

  async #bearer(ctx: LookupContext, registryHost: string, repository: string, challenge: AuthChallenge, attempt: AuthAttempt): Promise<AuthResult> {
    const realm = challenge.params.realm;
    if (!realm || !URL.canParse(realm)) return { refused: 'the Bearer challenge has no valid realm' };
    const service = challenge.params.service ?? '';
    const scope = `repository:${repository}:pull`;
    const cacheKey = `${realm}\0${service}\0${scope}\0${attemptKey(attempt)}`;
    const cached = this.#tokens.get(cacheKey);
    if (cached && cached.expiresAt > this.#options.clock.now()) return { authorization: cached.authorization };

    let answer;
    if (attempt.kind === 'anonymous' || (attempt.kind === 'secret' && attempt.credential.identityToken === undefined)) {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> =
        attempt.kind === 'secret'
          ? { authorization: `Basic ${Buffer.from(`${attempt.credential.username}:${attempt.credential.password}`).toString('base64')}` }
          : {};
      answer = await this.#options.http.send(ctx, { method: 'GET', url: url.href, headers, maxBytes: this.#options.maxTokenBytes, what: 'token' });
    } else {
      const refreshToken = attempt.kind === 'secret' ? attempt.credential.identityToken : await this.#acrRefreshToken(ctx, registryHost, service);
      if (typeof refreshToken !== 'string') return { refused: refreshToken?.refused ?? 'no refresh token' };
      const form = new URLSearchParams({ grant_type: 'refresh_token', service, scope, refresh_token: refreshToken });
      answer = await this.#options.http.send(ctx, { method: 'POST', url: realm, form, maxBytes: this.#options.maxTokenBytes, what: 'token' });
    }
    if (answer.status !== 200) return { refused: `the token service answered ${answer.status}` };
    const parsed = parseToken(answer.body);
    if (!parsed) return { refused: 'the token service answered without a token' };
    const authorization = `Bearer ${parsed.token}`;
    // Renew a little early; registries default to 60 s when they say nothing.
    this.#tokens.set(cacheKey, { authorization, expiresAt: this.#options.clock.now() + Math.max(0, parsed.expiresInSeconds - 10) * 1000 });
    return { authorization };
  }

  /** ACR's exchange: Entra access token → ACR refresh token for this registry (cached). */
  async #acrRefreshToken(ctx: LookupContext, registryHost: string, service: string): Promise<string | { refused: string }> {
    const cached = this.#acrRefreshTokens.get(registryHost);
    if (cached) return cached;
    if (!this.#options.entraToken) return { refused: 'no workload identity is configured' };
    let entra: string;
    try {
      entra = await this.#options.entraToken();
    } catch (error) {
      return { refused: `could not get an Entra token (${error instanceof Error ? error.name : 'error'})` };
    }
    const form = new URLSearchParams({ grant_type: 'access_token', service: service || registryHost, access_token: entra });
    if (this.#options.entraTenantId) form.set('tenant', this.#options.entraTenantId);
    const answer = await this.#options.http.send(ctx, { method: 'POST', url: `https://${registryHost}/oauth2/exchange`, form, maxBytes: this.#options.maxTokenBytes, what: 'ACR token exchange' });
    if (answer.status !== 200) return { refused: `the ACR token exchange answered ${answer.status}` };
    const refresh = jsonField(answer.body, 'refresh_token');
    if (!refresh) return { refused: 'the ACR token exchange answered without a refresh token' };
    this.#acrRefreshTokens.set(registryHost, refresh);
    return refresh;
  }
}

function jsonField(body: Buffer, name: string): string | undefined {
  try {
    const value = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[name];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseToken(body: Buffer): { token: string; expiresInSeconds: number } | undefined {
  const token = jsonField(body, 'token') ?? jsonField(body, 'access_token');
  if (!token || /[\s"]/.test(token)) return undefined;
  let expiresIn = 60;
  try {
    const value = (JSON.parse(body.toString('utf8')) as Record<string, unknown>).expires_in;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) expiresIn = value;
  } catch {
    // parseable already (jsonField succeeded)
  }
  return { token, expiresInSeconds: expiresIn };
}
