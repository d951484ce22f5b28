/**
 * Picks the entries of a multi-arch index a Pod may run: those whose platform satisfies its constraint (OS
 * `linux` when the Pod says nothing), skipping attestation and other non-image entries (`unknown` platform).
 * Several candidates are fine only if they agree on ENTRYPOINT/CMD (`agreedCommand`).
 */
import { TerminalError } from '../errors.js';
import type { PlatformConstraint } from './pod-platform.js';

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

export interface IndexEntry {
  readonly digest: string;
  readonly mediaType: string;
  readonly platform: Platform | undefined;
}

export interface ImageCommand {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

const describe = (c: PlatformConstraint): string =>
  `${c.operatingSystems?.join('|') ?? 'linux'}/${c.architectures?.join('|') ?? '*'}`;

export function selectPlatforms(image: string, entries: readonly IndexEntry[], constraint: PlatformConstraint): readonly IndexEntry[] {
  const oses = constraint.operatingSystems ?? ['linux'];
  const candidates = entries.filter(
    (e) =>
      e.platform !== undefined &&
      e.platform.architecture !== 'unknown' &&
      oses.includes(e.platform.os) &&
      (constraint.architectures === undefined || constraint.architectures.includes(e.platform.architecture)),
  );
  if (candidates.length === 0) {
    const offered = entries.flatMap((e) => (e.platform ? [`${e.platform.os}/${e.platform.architecture}`] : [])).join(', ') || 'none';
    throw new TerminalError('ImagePlatformMissing', `image '${image}': no entry of its index matches the pod's platform ${describe(constraint)} (index offers: ${offered})`);
  }
  return candidates;
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The one command all candidate platforms share, or a TerminalError telling the user how to disambiguate. */
export function agreedCommand(image: string, commands: readonly { platform: Platform; command: ImageCommand }[]): ImageCommand {
  const [first, ...rest] = commands;
  if (!first) throw new TerminalError('ImagePlatformMissing', `image '${image}': no platform to read a command from`);
  const other = rest.find((c) => !same(c.command.entrypoint, first.command.entrypoint) || !same(c.command.cmd, first.command.cmd));
  if (other) {
    const name = (p: Platform): string => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
    throw new TerminalError(
      'ImagePlatformAmbiguous',
      `image '${image}': its platforms ${name(first.platform)} and ${name(other.platform)} have different ENTRYPOINT/CMD; ` +
        `set a kubernetes.io/arch nodeSelector (or required node affinity) on the pod, or set the container's command`,
    );
  }
  return first.command;
}
