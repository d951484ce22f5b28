/**
 * File mode's pod annotations (docs/env-injection.md "File mode"): secrets as files on a memory-backed volume instead
 * of environment variables, in the style of Vault's agent injector. Names and references only, never a value:
 *  - `akvsync.io/inject-file-<file>: <name>@azurekeyvault[?<query>]` — one file (with `?*` on a multi-key-value
 *    secret: a directory `<file>/` with one file per key);
 *  - `akvsync.io/inject-files-refresh: "true"` — keep the files current on rotation (a native sidecar) instead of
 *    writing them once before the containers start (an init container);
 *  - `akvsync.io/inject-files-path: /abs/dir` — where the volume is mounted (default /akvsync/secrets);
 *  - `akvsync.io/inject-files-containers: a,b` — which containers mount it (default: every container of the pod).
 * A malformed annotation throws TerminalError `InvalidAnnotation` naming it (the admission is refused, nothing runs).
 */
import { TerminalError } from '../errors.js';
import { type Placeholder, parsePlaceholder } from './placeholder.js';
import type { Pod } from './pod-types.js';

export const FILE_ANNOTATION_PREFIX = 'akvsync.io/inject-file-';
export const FILES_REFRESH_ANNOTATION = 'akvsync.io/inject-files-refresh';
export const FILES_PATH_ANNOTATION = 'akvsync.io/inject-files-path';
export const FILES_CONTAINERS_ANNOTATION = 'akvsync.io/inject-files-containers';
export const DEFAULT_FILES_PATH = '/akvsync/secrets';

export interface FileRequest {
  /** The file's name inside the volume (a directory for `?*`). */
  readonly file: string;
  readonly placeholder: Placeholder;
}

export interface FileModeOptions {
  readonly requests: readonly FileRequest[];
  readonly refresh: boolean;
  readonly path: string;
  /** undefined: every container of the pod. */
  readonly containers: readonly string[] | undefined;
}

const FILE_NAME = /^[-._a-zA-Z0-9]{1,200}$/;
/** A name that stays one path component inside the volume (no `/`, not `.` or `..`, not our hidden files). */
export const isSafeFileName = (name: string): boolean => FILE_NAME.test(name) && name !== '.' && name !== '..' && !name.startsWith('..');

const invalid = (annotation: string, why: string): TerminalError => new TerminalError('InvalidAnnotation', `annotation ${annotation}: ${why}`);

function absolutePath(value: string): string {
  const clean = value.replace(/\/+$/, '');
  if (!clean.startsWith('/') || clean.split('/').some((part, i) => i > 0 && (part === '' || part === '.' || part === '..')) || clean.length > 200) {
    throw invalid(FILES_PATH_ANNOTATION, `'${value.slice(0, 64)}' is not a normalised absolute path`);
  }
  return clean;
}

/** File mode's request in the pod's annotations, or undefined when the pod asks for no file. */
export function fileModeOptions(pod: Pod): FileModeOptions | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  const requests: FileRequest[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(FILE_ANNOTATION_PREFIX)) continue;
    const file = key.slice(FILE_ANNOTATION_PREFIX.length);
    if (!isSafeFileName(file)) throw invalid(key, 'the file name must be one path component of [-._a-zA-Z0-9]');
    const placeholder = parsePlaceholder(value);
    if (placeholder === undefined) throw invalid(key, "the value must be '<name>@azurekeyvault[?<query>]'");
    requests.push({ file, placeholder });
  }
  if (requests.length === 0) return undefined;
  const refresh = annotations[FILES_REFRESH_ANNOTATION];
  if (refresh !== undefined && refresh !== 'true' && refresh !== 'false') throw invalid(FILES_REFRESH_ANNOTATION, "must be 'true' or 'false'");
  const containers = annotations[FILES_CONTAINERS_ANNOTATION]?.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (containers !== undefined) {
    const known = new Set([...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name));
    const unknown = containers.find((c) => !known.has(c));
    if (unknown !== undefined) throw invalid(FILES_CONTAINERS_ANNOTATION, `the pod has no container '${unknown.slice(0, 63)}'`);
  }
  const path = annotations[FILES_PATH_ANNOTATION];
  return {
    requests: requests.sort((a, b) => a.file.localeCompare(b.file)),
    refresh: refresh === 'true',
    path: path === undefined ? DEFAULT_FILES_PATH : absolutePath(path),
    containers,
  };
}
