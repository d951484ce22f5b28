/**
 * The install init container's step: copy env-exec's directory into the pod's shared volume, and finish only if the
 * copy's manifest digest is the one the webhook pinned for the architecture this runs on (a changed or mixed-up
 * image never starts a container).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TerminalError } from '../core/errors.js';
import { type EnvExecDigests, type ManifestEntry, envExecArchOf, formatDigestPins, manifestDigest } from '../core/injection/env-exec-manifest.js';

export function manifestOf(dir: string): ManifestEntry[] {
  return readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => ({ name, sha256: createHash('sha256').update(readFileSync(join(dir, name))).digest('hex') }));
}

/** `nodeArch`: Node's name of the architecture this runs on (`process.arch`). */
export function installEnvExec(fromDir: string, toDir: string, pinned: EnvExecDigests, nodeArch: string): void {
  const arch = envExecArchOf(nodeArch);
  const pinnedSha256 = arch === undefined ? undefined : pinned[arch];
  if (arch === undefined || pinnedSha256 === undefined) {
    throw new TerminalError('DigestMismatch', `the pod pins no env-exec digest for ${arch ?? nodeArch} (pinned: ${formatDigestPins(pinned).map((p) => p.split('=')[0]).join(', ')}): the webhook does not know this node's architecture`);
  }
  const source = manifestOf(fromDir);
  const sourceDigest = manifestDigest(source);
  if (sourceDigest !== pinnedSha256) {
    throw new TerminalError('DigestMismatch', `env-exec in ${fromDir} (${arch}) has digest ${sourceDigest}, the pod pins ${pinnedSha256}: the agent image and the webhook disagree`);
  }
  try {
    for (const { name } of source) {
      copyFileSync(join(fromDir, name), join(toDir, name));
      chmodSync(join(toDir, name), 0o555);
    }
  } catch (error) {
    throw new TerminalError('InstallFailed', `copying env-exec into ${toDir} failed (${(error as NodeJS.ErrnoException).code ?? 'unknown'}): is the volume mounted and writable by this user?`);
  }
  const installed = manifestDigest(manifestOf(toDir).filter((e) => source.some((s) => s.name === e.name)));
  if (installed !== pinnedSha256) throw new TerminalError('DigestMismatch', `the copy in ${toDir} has digest ${installed}, expected ${pinnedSha256}`);
}
