/**
 * Parses a container image reference the way the kubelet and containerd normalise it: `nginx` is
 * `docker.io/library/nginx:latest`; the first path component is a registry host only if it contains `.` or `:`
 * or is `localhost`; `@sha256:…` pins a digest (a tag beside it is informational, the digest wins).
 */
import { TerminalError } from '../errors.js';

export interface ImageReference {
  /** Registry host as written (`docker.io` for Docker Hub), with port if any. */
  readonly registry: string;
  /** Repository path, e.g. `library/nginx`. */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export const DOCKER_HUB = 'docker.io';
/** The host that serves Docker Hub's distribution API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

const invalid = (image: string, why: string): TerminalError => new TerminalError('InvalidImageReference', `image '${image}': ${why}`);

export function parseImageReference(image: string): ImageReference {
  if (image.length === 0 || image.length > 512 || /\s/.test(image)) throw invalid(image.slice(0, 512), 'not a valid image reference');
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(image, `digest '${digest}' is not sha256:<64 hex> or sha512:<128 hex>`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(image, `tag '${tag}' is not valid`);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  let registry = hasHost ? first : DOCKER_HUB;
  if (hasHost && !HOST.test(first)) throw invalid(image, `registry host '${first}' is not valid`);
  const path = hasHost ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((c) => COMPONENT.test(c))) throw invalid(image, 'repository must be lowercase path components');
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API_HOST) registry = DOCKER_HUB;
  const repository = registry === DOCKER_HUB && path.length === 1 ? `library/${path[0] ?? ''}` : path.join('/');
  return { registry, repository, tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** `registry/repository[:tag][@digest]`, the canonical spelling used in messages and cache keys. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host the distribution API is served from (Docker Hub's API host differs from its name). */
export const registryApiHost = (ref: Pick<ImageReference, 'registry'>): string => (ref.registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : ref.registry);
