/**
 * The install init container's step: copy env-exec's directory into the pod's shared volume, and finish only if the
 * copy's manifest digest is the one the webhook pinned (a changed or mixed-up image never starts a container).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TerminalError } from '../core/errors.js';
import { type ManifestEntry, manifestDigest } from '../core/injection/env-exec-manifest.js';

export function manifestOf(dir: string): ManifestEntry[] {
  return readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => ({ name, sha256: createHash('sha256').update(readFileSync(join(dir, name))).digest('hex') }));
}

export function installEnvExec(fromDir: string, toDir: string, pinnedSha256: string): void {
  if (!/^[0-9a-f]{64}$/.test(pinnedSha256)) throw new TerminalError('InvalidConfig', '--sha256 must be 64 lower-case hex characters');
  const source = manifestOf(fromDir);
  const sourceDigest = manifestDigest(source);
  if (sourceDigest !== pinnedSha256) {
    throw new TerminalError('DigestMismatch', `env-exec in ${fromDir} has digest ${sourceDigest}, the pod pins ${pinnedSha256}: the agent image and the webhook disagree`);
  }
  for (const { name } of source) {
    copyFileSync(join(fromDir, name), join(toDir, name));
    chmodSync(join(toDir, name), 0o555);
  }
  const installed = manifestDigest(manifestOf(toDir).filter((e) => source.some((s) => s.name === e.name)));
  if (installed !== pinnedSha256) throw new TerminalError('DigestMismatch', `the copy in ${toDir} has digest ${installed}, expected ${pinnedSha256}`);
}
