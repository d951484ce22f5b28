/**
 * Builds the agent image without a container daemon: for each architecture, scripts/image/build-rootfs.sh
 * assembles the root filesystem, umoci packs it into an OCI image layout as two layers (the runtime base —
 * Node, its libraries, CA roots, users — and /app with the agent bundle), the image config comes from
 * image-config.json, and one OCI image index ties the architectures together under `tag`.
 *
 * The base layer of each architecture is cached under ~/.cache/akvsync/image/<key>/ (key: the rootfs script,
 * image-config.json, the Node version and the Debian package files), so a rebuild after an agent change only
 * bundles and packs /app.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleEsm } from '../bundle/esm-bundle.js';
import { writeIndex, type Descriptor } from '../local-stack/oci-image-builder.js';
import { runOciTool } from '../local-stack/oci-tools.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const REF_NAME = 'org.opencontainers.image.ref.name';

export interface ImageConfig {
  readonly nodeVersion: string;
  readonly debianPackages: readonly string[];
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly exposedPorts: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly architectures: readonly string[];
}

export interface PackImageOptions {
  /** The OCI image layout to write (replaced). */
  readonly layout: string;
  /** Tag of the multi-arch index. */
  readonly tag: string;
  readonly architectures?: readonly string[];
  readonly cacheDir?: string;
}

export interface PackedImage {
  readonly layout: string;
  readonly tag: string;
  /** Digest of the image index. */
  readonly indexDigest: string;
  readonly images: readonly {
    readonly architecture: string;
    readonly manifestDigest: string;
    /** Compressed layer bytes (what a pull downloads). */
    readonly compressedBytes: number;
    /** The root filesystem's bytes on disk. */
    readonly rootfsBytes: number;
    readonly baseLayerCached: boolean;
  }[];
}

export async function readImageConfig(): Promise<ImageConfig> {
  return JSON.parse(await readFile(join(here, 'image-config.json'), 'utf8')) as ImageConfig;
}

export async function packImage(options: PackImageOptions): Promise<PackedImage> {
  const config = await readImageConfig();
  const architectures = options.architectures ?? config.architectures;
  const cacheDir = options.cacheDir ?? join(process.env.AKVSYNC_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'akvsync'), 'image');
  const work = await mkdtemp(join(tmpdir(), 'akvsync-image-'));
  try {
    const agent = join(work, 'agent.mjs');
    await bundleEsm({ repoRoot, entry: join(repoRoot, 'cluster-agent/main.ts'), outfile: agent });
    await rm(options.layout, { recursive: true, force: true });
    await runOciTool('umoci', ['init', '--layout', options.layout]);
    const images = [];
    const entries: { descriptor: Descriptor; image: { architecture: string } }[] = [];
    for (const architecture of architectures) {
      const rootfs = join(work, `rootfs-${architecture}`);
      await run('bash', [join(here, 'build-rootfs.sh'), '--arch', architecture, '--agent', agent, '--out', rootfs], { maxBuffer: 16 << 20, env: { ...process.env, AKVSYNC_CACHE_DIR: join(cacheDir, '..') } });
      const app = join(work, `app-${architecture}`);
      await rename(join(rootfs, 'app'), app);
      const { layout: base, cached } = await cachedBaseLayout(cacheDir, architecture, rootfs, config);
      await mergeLayout(base, options.layout, architecture);
      const image = `${options.layout}:${architecture}`;
      await runOciTool('umoci', ['insert', '--image', image, '--history.created_by', 'scripts/image/pack-image.ts: /app', app, '/app']);
      const args = ['config', '--image', image, '--history.created_by', 'scripts/image/pack-image.ts: config', '--architecture', architecture, '--os', 'linux', '--config.user', config.user, '--config.workingdir', config.workingDir];
      for (const part of config.entrypoint) args.push('--config.entrypoint', part);
      for (const variable of config.env) args.push('--config.env', variable);
      for (const port of config.exposedPorts) args.push('--config.exposedports', port);
      for (const [name, value] of Object.entries(config.labels)) args.push('--config.label', `${name}=${value}`);
      await runOciTool('umoci', args);
      const descriptor = await tagDescriptor(options.layout, architecture);
      entries.push({ descriptor, image: { architecture } });
      images.push({ architecture, manifestDigest: descriptor.digest, compressedBytes: await layerBytes(options.layout, descriptor), rootfsBytes: await treeBytes(rootfs) + (await treeBytes(app)), baseLayerCached: cached });
    }
    writeIndex(options.layout, options.tag, entries);
    await runOciTool('umoci', ['gc', '--layout', options.layout]);
    return { layout: options.layout, tag: options.tag, indexDigest: (await tagDescriptor(options.layout, options.tag)).digest, images };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The base layer (the rootfs without /app) as a one-layer OCI layout, from the cache or packed now. */
async function cachedBaseLayout(cacheDir: string, architecture: string, rootfs: string, config: ImageConfig): Promise<{ layout: string; cached: boolean }> {
  const hash = createHash('sha256');
  hash.update(await readFile(join(here, 'build-rootfs.sh')));
  hash.update(JSON.stringify(config));
  hash.update(architecture);
  hash.update((await readdir(join(cacheDir, `debs-${architecture}`))).sort().join('\n'));
  const key = `base-${architecture}-${hash.digest('hex').slice(0, 16)}`;
  const layout = join(cacheDir, key, 'layout');
  if (await exists(join(layout, 'index.json'))) return { layout, cached: true };
  const staging = await mkdtemp(join(cacheDir, `.${key}-`));
  try {
    const stagingLayout = join(staging, 'layout');
    await runOciTool('umoci', ['init', '--layout', stagingLayout]);
    await runOciTool('umoci', ['new', '--image', `${stagingLayout}:base`]);
    await runOciTool('umoci', ['insert', '--image', `${stagingLayout}:base`, '--history.created_by', 'scripts/image/build-rootfs.sh (runtime base)', rootfs, '/']);
    await mkdir(join(cacheDir, key), { recursive: true });
    await rename(stagingLayout, layout);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await pruneBases(cacheDir, architecture, key);
  return { layout, cached: false };
}

/** Each base is ~300 MB: keep this one and the newest other of its architecture (a concurrent build may use it). */
async function pruneBases(cacheDir: string, architecture: string, current: string): Promise<void> {
  const others = (await readdir(cacheDir)).filter((name) => name.startsWith(`base-${architecture}-`) && name !== current);
  const dated = await Promise.all(others.map(async (name) => ({ name, mtimeMs: (await stat(join(cacheDir, name))).mtimeMs })));
  const stale = dated.sort((a, b) => b.mtimeMs - a.mtimeMs).slice(1);
  await Promise.all(stale.map(({ name }) => rm(join(cacheDir, name), { recursive: true, force: true })));
}

/** Copies the base layout's blobs into `target` and tags its image there as `tag`. */
async function mergeLayout(base: string, target: string, tag: string): Promise<void> {
  await cp(join(base, 'blobs'), join(target, 'blobs'), { recursive: true, force: false, errorOnExist: false });
  const descriptor = await tagDescriptor(base, 'base');
  const indexFile = join(target, 'index.json');
  const index = JSON.parse(await readFile(indexFile, 'utf8')) as { manifests: Descriptor[] | null };
  // umoci init writes "manifests": null
  (index.manifests ??= []).push({ ...descriptor, annotations: { [REF_NAME]: tag } });
  await writeFile(indexFile, JSON.stringify(index));
}

async function tagDescriptor(layout: string, tag: string): Promise<Descriptor> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const descriptor = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (!descriptor) throw new Error(`${layout} has no tag ${tag}`);
  return descriptor;
}

async function layerBytes(layout: string, manifest: Descriptor): Promise<number> {
  const blob = (digest: string): string => join(layout, 'blobs', ...digest.split(':'));
  const body = JSON.parse(await readFile(blob(manifest.digest), 'utf8')) as { layers: { size: number }[] };
  return body.layers.reduce((sum, layer) => sum + layer.size, 0);
}

async function treeBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  let total = 0;
  for (const e of entries) if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  return total;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
