/**
 * Command resolution for the env-injection webhook: the ENTRYPOINT/CMD of a container image, read from the image
 * config over the OCI distribution API (manifest, then config blob; never layers). Authenticates with the pod's
 * pull secrets (its `imagePullSecrets`, then its ServiceAccount's — parsed by the caller), the agent's workload
 * identity for Azure Container Registry, or anonymously; resolves a multi-arch index for the pod's platform;
 * rewrites registries through configured mirrors; bounds every look-up by one deadline and every answer by a
 * size cap; checks digests; caches results by digest (and tags for a shorter TTL), per set of credentials, so a
 * pod never reuses what only another pod's secret could read.
 */
import { createHash } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { getCACertificates } from 'node:tls';
import { TerminalError, TransientError } from '../../core/errors.js';
import { parseAuthChallenges } from '../../core/images/auth-challenge.js';
import { formatImageReference, parseImageReference, registryApiHost, type ImageReference } from '../../core/images/image-reference.js';
import { podPlatformConstraint, type PlatformConstraint, type PodScheduling } from '../../core/images/pod-platform.js';
import { credentialsForImage, type DockerConfig } from '../../core/images/pull-secret-credentials.js';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, parseImageConfig, parseManifestDocument } from '../../core/images/registry-documents.js';
import { applyRegistryMirror, validateRegistryMirrors, type RegistryMirror } from '../../core/images/registry-mirrors.js';
import { agreedCommand, selectPlatforms, type ImageCommand } from '../../core/images/select-platforms.js';
import { TtlCache } from '../../core/images/ttl-cache.js';
import type { Clock } from '../../core/ports/clock.js';
import { attemptKey, attemptLabel, RegistryAuth, type AuthAttempt } from './registry-auth.js';
import { header, RegistryHttp, type LookupContext, type RegistryResponse } from './registry-http.js';

export interface ImageConfigResolverOptions {
  /** Deadline for one resolution, all requests included (default 5000 ms; keep it under the webhook timeout). */
  readonly timeoutMs?: number;
  readonly maxManifestBytes?: number;
  readonly maxConfigBytes?: number;
  readonly maxRedirects?: number;
  readonly mirrors?: readonly RegistryMirror[];
  /** TTL of digest-addressed results (default 1 h). */
  readonly digestCacheTtlMs?: number;
  /** TTL of tag → digest answers (default 60 s; 0 asks the registry every time). */
  readonly tagCacheTtlMs?: number;
  /** Registry hosts that take the ACR exchange, `*` matching one DNS label (default: Azure's `*.azurecr.*`). */
  readonly acrHosts?: readonly string[];
  /** The agent's Entra token for ACR (`https://containerregistry.azure.net/.default`); undefined disables it. */
  readonly entraToken?: () => Promise<string>;
  readonly entraTenantId?: string;
  /** Extra CA certificates (PEM) to trust besides the system roots, e.g. a private registry's CA. */
  readonly extraCaPem?: readonly string[];
  readonly clock?: Clock;
}

export interface ImageCommandRequest {
  /** The container's `image`. */
  readonly image: string;
  /** The pod spec's scheduling fields (nodeSelector, affinity). */
  readonly pod: PodScheduling;
  /** Parsed `.dockerconfigjson` of the pod's imagePullSecrets, then of its ServiceAccount's. */
  readonly pullSecrets: readonly DockerConfig[];
}

export interface ResolvedImageCommand extends ImageCommand {
  /** The digest the command was read from (the index's, for a multi-arch image). */
  readonly digest: string;
}

export const DEFAULT_ACR_HOSTS = ['*.azurecr.io', '*.azurecr.cn', '*.azurecr.us', '*.azurecr.de'];
const ACCEPT = [...MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES].join(', ');

const hostMatches = (pattern: string, host: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.:]+')}$`, 'i').test(host);

function digestOf(algorithmDigest: string, body: Buffer): string {
  const algorithm = algorithmDigest.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
}

interface Session {
  readonly ctx: LookupContext;
  readonly ref: ImageReference;
  readonly apiHost: string;
  readonly attempts: readonly AuthAttempt[];
  /** Which attempt the registry accepted (once known) and the Authorization it takes. */
  authorization: string | undefined;
}

export class ImageConfigResolver {
  readonly #http: RegistryHttp;
  readonly #auth: RegistryAuth;
  readonly #dispatcher: Dispatcher;
  readonly #timeoutMs: number;
  readonly #maxManifestBytes: number;
  readonly #maxConfigBytes: number;
  readonly #mirrors: readonly RegistryMirror[];
  readonly #acrHosts: readonly string[];
  readonly #workloadIdentity: boolean;
  readonly #byDigest: TtlCache<ImageCommand>;
  readonly #byTag: TtlCache<string>;
  /** Concurrent look-ups of the same image with the same credentials and platform share one. */
  readonly #inFlight = new Map<string, Promise<ResolvedImageCommand>>();

  constructor(options: ImageConfigResolverOptions = {}) {
    const clock = options.clock ?? { now: () => Date.now() };
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#maxManifestBytes = options.maxManifestBytes ?? 4 << 20;
    this.#maxConfigBytes = options.maxConfigBytes ?? 8 << 20;
    this.#mirrors = validateRegistryMirrors(options.mirrors ?? []);
    this.#acrHosts = options.acrHosts ?? DEFAULT_ACR_HOSTS;
    this.#workloadIdentity = options.entraToken !== undefined;
    this.#dispatcher = new Agent({
      connect: options.extraCaPem?.length ? { ca: [...getCACertificates('default'), ...options.extraCaPem] } : {},
      connections: 8,
    });
    this.#http = new RegistryHttp(this.#dispatcher, options.maxRedirects ?? 5);
    this.#auth = new RegistryAuth({ http: this.#http, clock, entraToken: options.entraToken, entraTenantId: options.entraTenantId, maxTokenBytes: 64 << 10 });
    this.#byDigest = new TtlCache(clock, options.digestCacheTtlMs ?? 3_600_000);
    this.#byTag = new TtlCache(clock, options.tagCacheTtlMs ?? 60_000);
  }

  /** The image's ENTRYPOINT/CMD for this pod; rejects with a TerminalError/TransientError naming image and reason. */
  async resolve(request: ImageCommandRequest): Promise<ResolvedImageCommand> {
    const original = parseImageReference(request.image);
    const ref = applyRegistryMirror(original, this.#mirrors);
    const label = ref === original ? request.image : `${request.image}' (via mirror '${formatImageReference(ref)}`;
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const secrets = credentialsForImage(ref, request.pullSecrets).map((credential): AuthAttempt => ({ kind: 'secret', credential }));
    const acr = this.#workloadIdentity && this.#acrHosts.some((p) => hostMatches(p, ref.registry));
    const attempts: AuthAttempt[] = [...secrets, ...(acr ? [{ kind: 'workload-identity' } as const] : []), { kind: 'anonymous' }];
    const session: Session = { ctx: { image: label, signal, timeoutMs: this.#timeoutMs }, ref, apiHost: registryApiHost(ref), attempts, authorization: undefined };
    const constraint = podPlatformConstraint(request.pod);
    // Cache keys carry the credentials that may be used, so results never cross to a pod without them.
    const scope = `${attempts.map(attemptKey).join(',')}\0${ref.registry}/${ref.repository}`;
    const platformKey = `${constraint.architectures?.join('|') ?? '*'}/${constraint.operatingSystems?.join('|') ?? '*'}`;

    const cached = this.#cached(scope, ref, platformKey);
    if (cached) return cached;
    const flightKey = `${scope}\0${ref.tag ?? ''}@${ref.digest ?? ''}\0${platformKey}`;
    const joined = this.#inFlight.get(flightKey);
    if (joined) return joined;
    const flight = this.#lookUp(session, scope, constraint, platformKey).finally(() => this.#inFlight.delete(flightKey));
    this.#inFlight.set(flightKey, flight);
    return flight;
  }

  #cached(scope: string, ref: ImageReference, platformKey: string): ResolvedImageCommand | undefined {
    const digest = ref.digest ?? this.#byTag.get(`${scope}:${ref.tag ?? ''}`);
    const hit = digest ? this.#byDigest.get(`${scope}@${digest}\0${platformKey}`) : undefined;
    return hit && digest ? { ...hit, digest } : undefined;
  }

  async #lookUp(session: Session, scope: string, constraint: PlatformConstraint, platformKey: string): Promise<ResolvedImageCommand> {
    const { ref } = session;
    const top = await this.#manifest(session, ref.digest ?? ref.tag ?? 'latest', ref.digest);
    const digest = top.digest;
    if (!ref.digest) this.#byTag.set(`${scope}:${ref.tag ?? ''}`, digest);
    const command = await this.#commandOf(session, scope, top, constraint);
    this.#byDigest.set(`${scope}@${digest}\0${platformKey}`, command);
    return { ...command, digest };
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  async #commandOf(session: Session, scope: string, top: { digest: string; res: RegistryResponse }, constraint: PlatformConstraint): Promise<ImageCommand> {
    const { image } = session.ctx;
    const doc = parseManifestDocument(image, header(top.res, 'content-type'), top.res.body.toString('utf8'));
    if (doc.kind === 'manifest') return this.#config(session, scope, doc.configDigest);
    const candidates = selectPlatforms(image, doc.entries, constraint);
    const commands = [];
    for (const entry of candidates) {
      const child = await this.#manifest(session, entry.digest, entry.digest);
      const childDoc = parseManifestDocument(image, header(child.res, 'content-type'), child.res.body.toString('utf8'));
      if (childDoc.kind !== 'manifest') throw new TerminalError('ImageManifestInvalid', `image '${image}': an index entry is itself an index (nested indexes are not supported)`);
      commands.push({ platform: entry.platform ?? { architecture: 'unknown', os: 'unknown' }, command: await this.#config(session, scope, childDoc.configDigest) });
    }
    return agreedCommand(image, commands);
  }

  async #config(session: Session, scope: string, configDigest: string): Promise<ImageCommand> {
    const key = `${scope}#config@${configDigest}`;
    const hit = this.#byDigest.get(key);
    if (hit) return hit;
    const res = await this.#get(session, `blobs/${configDigest}`, this.#maxConfigBytes, 'image config', '*/*');
    if (res.status !== 200) throw this.#statusError(session, 'image config', res.status);
    if (digestOf(configDigest, res.body) !== configDigest) {
      throw new TerminalError('ImageDigestMismatch', `image '${session.ctx.image}': the image config the registry served does not match its digest`);
    }
    const { command } = parseImageConfig(session.ctx.image, res.body.toString('utf8'));
    this.#byDigest.set(key, command);
    return command;
  }

  /** GET a manifest by tag or digest; checks the body against the digest it was asked by. */
  async #manifest(session: Session, reference: string, expectedDigest: string | undefined): Promise<{ digest: string; res: RegistryResponse }> {
    const res = await this.#get(session, `manifests/${reference}`, this.#maxManifestBytes, 'manifest', ACCEPT);
    if (res.status !== 200) throw this.#statusError(session, 'manifest', res.status);
    const digest = digestOf(expectedDigest ?? 'sha256:', res.body);
    if (expectedDigest && digest !== expectedDigest) {
      throw new TerminalError('ImageDigestMismatch', `image '${session.ctx.image}': the manifest the registry served does not match digest ${expectedDigest}`);
    }
    return { digest, res };
  }

  /** A GET under /v2/<repository>/, answering the registry's challenge with each attempt in turn. */
  async #get(session: Session, path: string, maxBytes: number, what: string, accept: string): Promise<RegistryResponse> {
    const url = `https://${session.apiHost}/v2/${session.ref.repository}/${path}`;
    const send = (authorization: string | undefined): Promise<RegistryResponse> =>
      this.#http.send(session.ctx, { method: 'GET', url, headers: { accept, ...(authorization ? { authorization } : {}) }, maxBytes, what });
    let res = await send(session.authorization);
    if (res.status !== 401) return res;
    const challenges = parseAuthChallenges(header(res, 'www-authenticate'));
    const refusals: string[] = [];
    for (const attempt of session.attempts) {
      const auth = await this.#auth.authorize(session.ctx, session.apiHost, session.ref.repository, challenges, attempt);
      if ('refused' in auth) {
        refusals.push(`${attemptLabel(attempt)}: ${auth.refused}`);
        continue;
      }
      res = await send(auth.authorization);
      if (res.status !== 401 && res.status !== 403) {
        session.authorization = auth.authorization;
        return res;
      }
      refusals.push(`${attemptLabel(attempt)}: the registry answered ${res.status}`);
    }
    throw new TerminalError('ImageUnauthorized', `image '${session.ctx.image}': the registry refused access to the ${what} (${refusals.join('; ')})`);
  }

  #statusError(session: Session, what: string, status: number): Error {
    const { image } = session.ctx;
    if (status === 404) return new TerminalError('ImageNotFound', `image '${image}': the registry has no such ${what} (404)`);
    if (status === 401 || status === 403) return new TerminalError('ImageUnauthorized', `image '${image}': the registry refused access to the ${what} (${status})`);
    if (status === 429 || status >= 500) return new TransientError('ImageRegistryUnavailable', `image '${image}': the registry answered ${status} for the ${what}`);
    return new TerminalError('ImageRegistryBadAnswer', `image '${image}': the registry answered ${status} for the ${what}`);
  }
}
