/**
 * Reads the two documents command resolution needs from a registry: the manifest (an image manifest or a
 * multi-arch index, OCI or Docker schema 2) and the image config (ENTRYPOINT/CMD). A registry's answer is
 * untrusted input: anything unexpected becomes a TerminalError that names the image and what was wrong.
 */
import { TerminalError } from '../errors.js';
import type { ImageCommand, IndexEntry, Platform } from './select-platforms.js';

export const INDEX_MEDIA_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
export const MANIFEST_MEDIA_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
export const CONFIG_MEDIA_TYPES = ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'];
const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

export type ManifestDocument =
  | { readonly kind: 'index'; readonly entries: readonly IndexEntry[] }
  | { readonly kind: 'manifest'; readonly configDigest: string; readonly configSize: number };

const bad = (image: string, why: string): TerminalError => new TerminalError('ImageManifestInvalid', `image '${image}': ${why}`);

function parseJson(image: string, what: string, body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw bad(image, `the registry's ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(image, `the registry's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

const asPlatform = (p: unknown): Platform | undefined => {
  if (typeof p !== 'object' || p === null) return undefined;
  const { architecture, os, variant } = p as Record<string, unknown>;
  if (typeof architecture !== 'string' || typeof os !== 'string') return undefined;
  return typeof variant === 'string' ? { architecture, os, variant } : { architecture, os };
};

/** `contentType` is the response's Content-Type (parameters ignored); a body `mediaType` must agree with it. */
export function parseManifestDocument(image: string, contentType: string, body: string): ManifestDocument {
  const json = parseJson(image, 'manifest', body);
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const header = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const known = [...INDEX_MEDIA_TYPES, ...MANIFEST_MEDIA_TYPES];
  const mediaType = known.includes(header) ? header : declared;
  if (!mediaType || !known.includes(mediaType)) {
    throw bad(image, `the registry answered media type '${(header || declared || 'none').slice(0, 100)}', not an image manifest or index (Docker schema 1 is not supported)`);
  }
  if (declared !== undefined && declared !== mediaType) throw bad(image, `the manifest says media type '${declared.slice(0, 100)}' but was served as '${mediaType}'`);
  if (json.schemaVersion !== 2) throw bad(image, 'the manifest is not schemaVersion 2');
  if (INDEX_MEDIA_TYPES.includes(mediaType)) {
    if (!Array.isArray(json.manifests)) throw bad(image, 'the index has no manifests list');
    const entries = json.manifests.map((m: unknown): IndexEntry => {
      const e = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
      if (typeof e.digest !== 'string' || !DIGEST.test(e.digest)) throw bad(image, 'an index entry has no valid digest');
      return { digest: e.digest, mediaType: typeof e.mediaType === 'string' ? e.mediaType : '', platform: asPlatform(e.platform) };
    });
    return { kind: 'index', entries };
  }
  const config = (typeof json.config === 'object' && json.config !== null ? json.config : {}) as Record<string, unknown>;
  if (typeof config.digest !== 'string' || !DIGEST.test(config.digest)) throw bad(image, 'the manifest has no valid config digest');
  if (typeof config.mediaType === 'string' && !CONFIG_MEDIA_TYPES.includes(config.mediaType)) {
    throw bad(image, `the manifest's config has media type '${config.mediaType.slice(0, 100)}', not an image config (is this an artifact, not an image?)`);
  }
  const size = typeof config.size === 'number' && Number.isSafeInteger(config.size) && config.size >= 0 ? config.size : -1;
  return { kind: 'manifest', configDigest: config.digest, configSize: size };
}

const stringList = (image: string, name: string, v: unknown): readonly string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(image, `the image config's ${name} is not a list of strings`);
  return v as string[];
};

/** ENTRYPOINT/CMD and platform from an image config blob. */
export function parseImageConfig(image: string, body: string): { command: ImageCommand; platform: Platform | undefined } {
  const json = parseJson(image, 'image config', body);
  const config = (typeof json.config === 'object' && json.config !== null ? json.config : {}) as Record<string, unknown>;
  return {
    command: { entrypoint: stringList(image, 'Entrypoint', config.Entrypoint), cmd: stringList(image, 'Cmd', config.Cmd) },
    platform: asPlatform(json),
  };
}
