/**
 * The env-exec bundles the agent serves (`GET /v1/env-exec`) and pins (the install init container's digests): in
 * the agent image, `/opt/akvsync/env-exec/<arch>/` for amd64 and arm64 (scripts/image/build-rootfs.sh), each the
 * directory scripts/build-env-exec.sh made (env-exec, ld.so, libraries). Read once at start-up: every file is
 * hashed (streamed, ~250 MB for both architectures), so what is served and pinned is what is on disk.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  ENV_EXEC_ARCHITECTURES, type EnvExecArch, type EnvExecDigests, type ManifestEntry, manifestDigest,
} from '../../core/injection/env-exec-manifest.js';

export interface EnvExecFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface EnvExecBundle {
  readonly arch: EnvExecArch;
  readonly dir: string;
  /** The manifest digest: what the webhook pins and the install step checks. */
  readonly digest: string;
  /** Every file of the bundle by name (`env-exec`, `ld.so`, the libraries). */
  readonly files: ReadonlyMap<string, EnvExecFile>;
}

export type EnvExecBundles = ReadonlyMap<EnvExecArch, EnvExecBundle>;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function readBundle(arch: EnvExecArch, dir: string): Promise<EnvExecBundle | undefined> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (names === undefined) return undefined;
  const files = new Map<string, EnvExecFile>();
  for (const name of names.sort()) {
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isFile()) files.set(name, { path, bytes: info.size, sha256: await sha256Of(path) });
  }
  if (!files.has('env-exec')) return undefined;
  const entries: ManifestEntry[] = [...files].map(([name, file]) => ({ name, sha256: file.sha256 }));
  return { arch, dir, digest: manifestDigest(entries), files };
}

/** The bundles under `root` (`<root>/amd64`, `<root>/arm64`); a missing architecture is left out. */
export async function loadEnvExecBundles(root: string): Promise<EnvExecBundles> {
  const bundles = new Map<EnvExecArch, EnvExecBundle>();
  for (const arch of ENV_EXEC_ARCHITECTURES) {
    const bundle = await readBundle(arch, join(root, arch));
    if (bundle) bundles.set(arch, bundle);
  }
  return bundles;
}

export const bundleDigests = (bundles: EnvExecBundles): EnvExecDigests => Object.fromEntries([...bundles].map(([arch, b]) => [arch, b.digest]));
