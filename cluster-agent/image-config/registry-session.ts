/**
 * The registry reads of one resolution: GETs under `/v2/<repository>/` that answer the registry's challenge with
 * each auth attempt in turn (the first accepted Authorization is kept for the rest of the session), manifests
 * checked against the digest they were asked by, config blobs checked against theirs.
 */
import { createHash } from 'node:crypto';
import { TerminalError, TransientError } from '../../core/errors.js';
import { parseAuthChallenges } from '../../core/images/auth-challenge.js';
import type { ImageReference } from '../../core/images/image-reference.js';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES } from '../../core/images/registry-documents.js';
import { attemptLabel, type AuthAttempt, type RegistryAuth } from './registry-auth.js';
import { header, type LookupContext, type RegistryHttp, type RegistryResponse } from './registry-http.js';

const ACCEPT = [...MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES].join(', ');

export interface SessionLimits {
  readonly maxManifestBytes: number;
  readonly maxConfigBytes: number;
}

function digestOf(algorithmDigest: string, body: Buffer): string {
  const algorithm = algorithmDigest.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
}

export class RegistrySession {
  readonly ctx: LookupContext;
  readonly #ref: ImageReference;
  readonly #apiHost: string;
  readonly #attempts: readonly AuthAttempt[];
  readonly #http: RegistryHttp;
  readonly #auth: RegistryAuth;
  readonly #limits: SessionLimits;
  #authorization: string | undefined;

  constructor(ctx: LookupContext, ref: ImageReference, apiHost: string, attempts: readonly AuthAttempt[], deps: { http: RegistryHttp; auth: RegistryAuth; limits: SessionLimits }) {
    this.ctx = ctx;
    this.#ref = ref;
    this.#apiHost = apiHost;
    this.#attempts = attempts;
    this.#http = deps.http;
    this.#auth = deps.auth;
    this.#limits = deps.limits;
  }

  /** A manifest by tag or digest, with the digest of its bytes (checked when it was asked by digest). */
  async manifest(reference: string, expectedDigest: string | undefined): Promise<{ digest: string; contentType: string; body: string }> {
    const res = await this.#get(`manifests/${reference}`, this.#limits.maxManifestBytes, 'manifest', ACCEPT);
    if (res.status !== 200) throw this.#statusError('manifest', res.status);
    const digest = digestOf(expectedDigest ?? 'sha256:', res.body);
    if (expectedDigest && digest !== expectedDigest) {
      throw new TerminalError('ImageDigestMismatch', `image '${this.ctx.image}': the manifest the registry served does not match digest ${expectedDigest}`);
    }
    return { digest, contentType: header(res, 'content-type'), body: res.body.toString('utf8') };
  }

  /** The image config blob, checked against its digest. */
  async config(configDigest: string): Promise<string> {
    const res = await this.#get(`blobs/${configDigest}`, this.#limits.maxConfigBytes, 'image config', '*/*');
    if (res.status !== 200) throw this.#statusError('image config', res.status);
    if (digestOf(configDigest, res.body) !== configDigest) {
      throw new TerminalError('ImageDigestMismatch', `image '${this.ctx.image}': the image config the registry served does not match its digest`);
    }
    return res.body.toString('utf8');
  }

  async #get(path: string, maxBytes: number, what: string, accept: string): Promise<RegistryResponse> {
    const url = `https://${this.#apiHost}/v2/${this.#ref.repository}/${path}`;
    const send = (authorization: string | undefined): Promise<RegistryResponse> =>
      this.#http.send(this.ctx, { method: 'GET', url, headers: { accept, ...(authorization ? { authorization } : {}) }, maxBytes, what });
    let res = await send(this.#authorization);
    if (res.status !== 401) return res;
    const challenges = parseAuthChallenges(header(res, 'www-authenticate'));
    const refusals: string[] = [];
    for (const attempt of this.#attempts) {
      const auth = await this.#auth.authorize(this.ctx, this.#apiHost, this.#ref.repository, challenges, attempt);
      if ('refused' in auth) {
        refusals.push(`${attemptLabel(attempt)}: ${auth.refused}`);
        continue;
      }
      res = await send(auth.authorization);
      if (res.status !== 401 && res.status !== 403) {
        this.#authorization = auth.authorization;
        return res;
      }
      refusals.push(`${attemptLabel(attempt)}: the registry answered ${res.status}`);
    }
    throw new TerminalError('ImageUnauthorized', `image '${this.ctx.image}': the registry refused access to the ${what} (${refusals.join('; ')})`);
  }

  #statusError(what: string, status: number): Error {
    const { image } = this.ctx;
    if (status === 404) return new TerminalError('ImageNotFound', `image '${image}': the registry has no such ${what} (404)`);
    if (status === 401 || status === 403) return new TerminalError('ImageUnauthorized', `image '${image}': the registry refused access to the ${what} (${status})`);
    if (status === 429 || status >= 500) return new TransientError('ImageRegistryUnavailable', `image '${image}': the registry answered ${status} for the ${what}`);
    return new TerminalError('ImageRegistryBadAnswer', `image '${image}': the registry answered ${status} for the ${what}`);
  }
}
