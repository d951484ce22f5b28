/**
 * The registry mirror setting: images of a registry the cluster reaches only through a mirror are looked up on
 * the mirror, e.g. `docker.io` → `mirror.corp.example/dockerhub` turns `docker.io/library/nginx:1` into
 * `mirror.corp.example/dockerhub/library/nginx:1`. The first rule whose `registry` equals the image's wins.
 */
import { TerminalError } from '../errors.js';
import { DOCKER_HUB, type ImageReference } from './image-reference.js';

export interface RegistryMirror {
  /** The registry as image references name it (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** `host[:port][/path prefix]` of the mirror. */
  readonly mirror: string;
}

const normaliseRegistry = (registry: string): string => (['index.docker.io', 'registry-1.docker.io'].includes(registry) ? DOCKER_HUB : registry);

/** Checks a mirror list from configuration; throws a TerminalError naming the bad entry. */
export function validateRegistryMirrors(mirrors: readonly RegistryMirror[]): readonly RegistryMirror[] {
  for (const m of mirrors) {
    if (!m.registry || !/^[^/\s]+$/.test(m.registry)) throw new TerminalError('InvalidSetting', `registry mirror: '${m.registry}' is not a registry host`);
    if (!/^[^/\s]+(?:\/[a-z0-9._-]+)*$/.test(m.mirror)) throw new TerminalError('InvalidSetting', `registry mirror for '${m.registry}': '${m.mirror}' is not host[:port][/path]`);
  }
  return mirrors;
}

export function applyRegistryMirror(ref: ImageReference, mirrors: readonly RegistryMirror[]): ImageReference {
  const rule = mirrors.find((m) => normaliseRegistry(m.registry) === ref.registry);
  if (!rule) return ref;
  const slash = rule.mirror.indexOf('/');
  const host = slash < 0 ? rule.mirror : rule.mirror.slice(0, slash);
  const prefix = slash < 0 ? '' : `${rule.mirror.slice(slash + 1)}/`;
  return { ...ref, registry: host, repository: `${prefix}${ref.repository}` };
}
