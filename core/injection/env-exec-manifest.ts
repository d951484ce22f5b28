/**
 * env-exec's digest: the sha256 of its manifest, one line `<sha256 hex>  <file name>\n` per file of its directory,
 * sorted by name. It pins every file (executable, loader, libraries), not only the executable. The build writes it,
 * the agent serves it, the webhook pins it in the install init container — one digest per architecture, as
 * `--sha256 <arch>=<digest>` (a pod has no node at admission, so it cannot know which one its node will run) — and
 * env-exec's install step checks the one of the architecture it runs on.
 */
import { createHash } from 'node:crypto';
import { TerminalError } from '../errors.js';

export interface ManifestEntry {
  readonly name: string;
  readonly sha256: string;
}

export function manifestText(entries: readonly ManifestEntry[]): string {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => `${e.sha256}  ${e.name}\n`).join('');
}

export const manifestDigest = (entries: readonly ManifestEntry[]): string => createHash('sha256').update(manifestText(entries)).digest('hex');

/** The architectures env-exec is built for (Kubernetes' `kubernetes.io/arch` names). */
export const ENV_EXEC_ARCHITECTURES = ['amd64', 'arm64'] as const;
export type EnvExecArch = (typeof ENV_EXEC_ARCHITECTURES)[number];
/** env-exec's manifest digest per architecture; at least one. */
export type EnvExecDigests = Readonly<Partial<Record<EnvExecArch, string>>>;

export const isEnvExecArch = (value: unknown): value is EnvExecArch => (ENV_EXEC_ARCHITECTURES as readonly unknown[]).includes(value);

/** Node's `process.arch` as a Kubernetes architecture name (undefined for one env-exec is not built for). */
export const envExecArchOf = (nodeArch: string): EnvExecArch | undefined => (nodeArch === 'x64' ? 'amd64' : nodeArch === 'arm64' ? 'arm64' : undefined);

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `amd64=<hex>` pins, one per architecture, in a stable order. */
export const formatDigestPins = (digests: EnvExecDigests): string[] =>
  ENV_EXEC_ARCHITECTURES.flatMap((arch) => (digests[arch] !== undefined ? [`${arch}=${digests[arch]}`] : []));

/** Reads `<arch>=<hex>` pins (as the install step's `--sha256` options or AKVSYNC_ENV_EXEC_SHA256 give them). */
export function parseDigestPins(pins: readonly string[]): EnvExecDigests {
  const digests: Partial<Record<EnvExecArch, string>> = {};
  for (const pin of pins) {
    const [arch, hex = ''] = pin.split('=', 2);
    if (!isEnvExecArch(arch)) throw new TerminalError('InvalidConfig', `a pinned env-exec digest must be <arch>=<sha256> with arch ${ENV_EXEC_ARCHITECTURES.join(' or ')}, got '${pin.slice(0, 16)}…'`);
    if (!SHA256_HEX.test(hex)) throw new TerminalError('InvalidConfig', `the pinned env-exec digest for ${arch} must be 64 lower-case hex characters`);
    if (digests[arch] !== undefined) throw new TerminalError('InvalidConfig', `env-exec's digest for ${arch} is pinned twice`);
    digests[arch] = hex;
  }
  if (pins.length === 0) throw new TerminalError('InvalidConfig', 'no env-exec digest is pinned');
  return digests;
}
