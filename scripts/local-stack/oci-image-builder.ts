/**
 * Builds small test images without a container daemon and pushes them to a registry: `umoci` makes an OCI
 * layout with the given ENTRYPOINT/CMD, platform and files; several images become one multi-arch index (written
 * here as an OCI image index blob); `skopeo copy` pushes it, as OCI or Docker schema 2 media types.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OciRegistry } from './oci-registry.js';
import { runOciTool } from './oci-tools.js';

export interface TestImage {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** GOARCH spelling, default `amd64`. */
  readonly architecture?: string;
  readonly os?: string;
  /** Platform variant (e.g. `v8`), written into the index descriptor of a multi-arch image. */
  readonly variant?: string;
  readonly env?: readonly string[];
  readonly workingDir?: string;
  /** `USER`, e.g. `65532:65532` (numeric, so Pod Security `runAsNonRoot` can check it). */
  readonly user?: string;
  /** Files or directories of this machine copied into one layer: source path → absolute path in the image. */
  readonly files?: readonly { readonly source: string; readonly target: string }[];
}

export interface PushOptions {
  /** `oci` (default) or `docker` (Docker schema 2 manifest / manifest list media types). */
  readonly format?: 'oci' | 'docker';
  /** Default: the registry's pushCredentials. */
  readonly credentials?: { readonly username: string; readonly password: string };
}

export interface PushedImage {
  /** `<host>/<repository>:<tag>` */
  readonly reference: string;
  /** Digest of the pushed manifest (or index), `sha256:…`. */
  readonly digest: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

const REF_NAME = 'org.opencontainers.image.ref.name';

async function buildOne(layout: string, tag: string, image: TestImage): Promise<Descriptor> {
  await runOciTool('umoci', ['new', '--image', `${layout}:${tag}`]);
  const args = ['config', '--image', `${layout}:${tag}`, '--no-history', '--architecture', image.architecture ?? 'amd64', '--os', image.os ?? 'linux'];
  for (const part of image.entrypoint ?? []) args.push('--config.entrypoint', part);
  for (const part of image.cmd ?? []) args.push('--config.cmd', part);
  for (const variable of image.env ?? []) args.push('--config.env', variable);
  if (image.workingDir) args.push('--config.workingdir', image.workingDir);
  if (image.user) args.push('--config.user', image.user);
  await runOciTool('umoci', args);
  for (const file of image.files ?? []) {
    await runOciTool('umoci', ['insert', '--no-history', '--image', `${layout}:${tag}`, file.source, file.target]);
  }
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const descriptor = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (!descriptor) throw new Error(`umoci did not record tag ${tag} in ${layout}`);
  return descriptor;
}

export function writeIndex(layout: string, tag: string, entries: readonly { descriptor: Descriptor; image: TestImage }[]): void {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: entries.map(({ descriptor, image }) => ({
      mediaType: descriptor.mediaType,
      digest: descriptor.digest,
      size: descriptor.size,
      platform: { architecture: image.architecture ?? 'amd64', os: image.os ?? 'linux', ...(image.variant ? { variant: image.variant } : {}) },
    })),
  });
  const hex = createHash('sha256').update(body).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), body);
  const indexFile = join(layout, 'index.json');
  const top = JSON.parse(readFileSync(indexFile, 'utf8')) as { manifests: Descriptor[] };
  top.manifests.push({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex}`, size: Buffer.byteLength(body), annotations: { [REF_NAME]: tag } });
  writeFileSync(indexFile, JSON.stringify(top));
}

/**
 * Builds `image` (or, given several, one multi-arch index of them) and pushes it as `<repository>:<tag>`.
 * `repositoryAndTag` is e.g. `public/hello:1.0`.
 */
export async function pushTestImage(
  registry: Pick<OciRegistry, 'host' | 'certDir' | 'pushCredentials'>,
  repositoryAndTag: string,
  image: TestImage | readonly TestImage[],
  options: PushOptions = {},
): Promise<PushedImage> {
  const work = mkdtempSync(join(tmpdir(), 'akvsync-image-'));
  try {
    const layout = join(work, 'layout');
    await runOciTool('umoci', ['init', '--layout', layout]);
    const images = Array.isArray(image) ? (image as readonly TestImage[]) : [image as TestImage];
    const multi = Array.isArray(image);
    const entries = [];
    for (const [i, one] of images.entries()) entries.push({ descriptor: await buildOne(layout, multi ? `part-${i}` : 'image', one), image: one });
    if (multi) writeIndex(layout, 'image', entries);
    const reference = `${registry.host}/${repositoryAndTag}`;
    const digestFile = join(work, 'digest');
    const credentials = options.credentials ?? registry.pushCredentials;
    const args = ['copy', '--insecure-policy', '--quiet', '--dest-cert-dir', registry.certDir, '--digestfile', digestFile];
    if (multi) args.push('--all');
    if (options.format === 'docker') args.push('--format', 'v2s2');
    if (credentials) {
      // An auth file (mode 0600, removed with the work dir) keeps the password out of skopeo's argv.
      const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
      writeFileSync(join(work, 'auth.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }), { mode: 0o600 });
      args.push('--dest-authfile', join(work, 'auth.json'));
    } else args.push('--dest-no-creds');
    await runOciTool('skopeo', [...args, `oci:${layout}:image`, `docker://${reference}`]);
    return { reference, digest: readFileSync(digestFile, 'utf8').trim() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
