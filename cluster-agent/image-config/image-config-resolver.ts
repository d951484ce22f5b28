/**
 * Command resolution for the env-injection webhook: the ENTRYPOINT/CMD of a container image, read from the image
 * config over the OCI distribution API (manifest, then config blob; never layers). Authenticates with the pod's
 * pull secrets (its `imagePullSecrets`, then its ServiceAccount's — parsed by the caller), the agent's workload
 * identity for Azure Container Registry, or anonymously; resolves a multi-arch index for the pod's platform;
 * rewrites registries through configured mirrors; bounds every look-up by one deadline and every answer by a
 * size cap; caches results by digest (and tags for a shorter TTL), per set of candidate credentials, so a pod
 * never reuses what only another pod's secret could read. Concurrent look-ups of one image share one.
 */
import { getCACertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { guardedLookup } from './guarded-lookup.js';
import { TerminalError } from '../../core/errors.js';
import { formatImageReference, parseImageReference, registryApiHost } from '../../core/images/image-reference.js';
import { podPlatformConstraint, type PlatformConstraint, type PodScheduling } from '../../core/images/pod-platform.js';
import { credentialsForImage, type DockerConfig } from '../../core/images/pull-secret-credentials.js';
import { parseImageConfig, parseManifestDocument } from '../../core/images/registry-documents.js';
import { applyRegistryMirror, validateRegistryMirrors, type RegistryMirror } from '../../core/images/registry-mirrors.js';
import { agreedCommand, selectPlatforms, type ImageCommand } from '../../core/images/select-platforms.js';
import { TtlCache } from '../../core/images/ttl-cache.js';
import type { Clock } from '../../core/ports/clock.js';
import { attemptKey, RegistryAuth, type AuthAttempt } from './registry-auth.js';
import { RegistryHttp } from './registry-http.js';
import { RegistrySession, type SessionLimits } from './registry-session.js';

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
  /** Extra CA certificates (PEM) to trust besides the default roots, e.g. a private registry's CA. */
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

const hostMatches = (pattern: string, host: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.:]+')}$`, 'i').test(host);

export class ImageConfigResolver {
  readonly #http: RegistryHttp;
  readonly #auth: RegistryAuth;
  readonly #dispatcher: Dispatcher;
  readonly #timeoutMs: number;
  readonly #limits: SessionLimits;
  readonly #mirrors: readonly RegistryMirror[];
  readonly #acrHosts: readonly string[];
  readonly #workloadIdentity: boolean;
  readonly #byDigest: TtlCache<ImageCommand>;
  readonly #byTag: TtlCache<string>;
  readonly #inFlight = new Map<string, Promise<ResolvedImageCommand>>();

  constructor(options: ImageConfigResolverOptions = {}) {
    const clock = options.clock ?? { now: () => Date.now() };
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#limits = { maxManifestBytes: options.maxManifestBytes ?? 4 << 20, maxConfigBytes: options.maxConfigBytes ?? 8 << 20 };
    this.#mirrors = validateRegistryMirrors(options.mirrors ?? []);
    this.#acrHosts = options.acrHosts ?? DEFAULT_ACR_HOSTS;
    this.#workloadIdentity = options.entraToken !== undefined;
    // A pod spec names the registry: its look-ups never reach a link-local or metadata address (registry-http.ts checks IP literals).
    this.#dispatcher = new Agent({
      connect: { lookup: guardedLookup, ...(options.extraCaPem?.length ? { ca: [...getCACertificates('default'), ...options.extraCaPem] } : {}) },
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
    const secrets = credentialsForImage(ref, request.pullSecrets).map((credential): AuthAttempt => ({ kind: 'secret', credential }));
    const acr = this.#workloadIdentity && this.#acrHosts.some((p) => hostMatches(p, ref.registry));
    const attempts: AuthAttempt[] = [...secrets, ...(acr ? [{ kind: 'workload-identity' } as const] : []), { kind: 'anonymous' }];
    const constraint = podPlatformConstraint(request.pod);
    // Cache keys carry the credentials that may be used, so results never cross to a pod without them.
    const scope = `${attempts.map(attemptKey).join(',')}\0${ref.registry}/${ref.repository}`;
    const platformKey = `${constraint.architectures?.join('|') ?? '*'}/${constraint.operatingSystems?.join('|') ?? '*'}`;
    const tagKey = `${scope}:${ref.tag ?? ''}`;

    const digest = ref.digest ?? this.#byTag.get(tagKey);
    const hit = digest ? this.#byDigest.get(`${scope}@${digest}\0${platformKey}`) : undefined;
    if (hit && digest) return { ...hit, digest };

    const flightKey = `${tagKey}@${ref.digest ?? ''}\0${platformKey}`;
    const joined = this.#inFlight.get(flightKey);
    if (joined) return joined;
    const label = ref === original ? request.image : `${request.image}' (via mirror '${formatImageReference(ref)}`;
    const session = new RegistrySession({ image: label, signal: AbortSignal.timeout(this.#timeoutMs), timeoutMs: this.#timeoutMs }, ref, registryApiHost(ref), attempts, {
      http: this.#http,
      auth: this.#auth,
      limits: this.#limits,
    });
    const flight = (async (): Promise<ResolvedImageCommand> => {
      const top = await session.manifest(ref.digest ?? ref.tag ?? 'latest', ref.digest);
      if (!ref.digest) this.#byTag.set(tagKey, top.digest);
      const command = await this.#commandOf(session, scope, top, constraint);
      this.#byDigest.set(`${scope}@${top.digest}\0${platformKey}`, command);
      return { ...command, digest: top.digest };
    })().finally(() => this.#inFlight.delete(flightKey));
    this.#inFlight.set(flightKey, flight);
    return flight;
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  async #commandOf(session: RegistrySession, scope: string, top: { contentType: string; body: string }, constraint: PlatformConstraint): Promise<ImageCommand> {
    const { image } = session.ctx;
    const doc = parseManifestDocument(image, top.contentType, top.body);
    if (doc.kind === 'manifest') return this.#config(session, scope, doc.configDigest);
    const commands = [];
    for (const entry of selectPlatforms(image, doc.entries, constraint)) {
      const child = await session.manifest(entry.digest, entry.digest);
      const childDoc = parseManifestDocument(image, child.contentType, child.body);
      if (childDoc.kind !== 'manifest') throw new TerminalError('ImageManifestInvalid', `image '${image}': an index entry is itself an index (nested indexes are not supported)`);
      commands.push({ platform: entry.platform ?? { architecture: 'unknown', os: 'unknown' }, command: await this.#config(session, scope, childDoc.configDigest) });
    }
    return agreedCommand(image, commands);
  }

  async #config(session: RegistrySession, scope: string, configDigest: string): Promise<ImageCommand> {
    const key = `${scope}#config@${configDigest}`;
    const hit = this.#byDigest.get(key);
    if (hit) return hit;
    const { command } = parseImageConfig(session.ctx.image, await session.config(configDigest));
    this.#byDigest.set(key, command);
    return command;
  }
}
