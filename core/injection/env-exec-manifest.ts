/**
 * env-exec's digest: the sha256 of its manifest, one line `<sha256 hex>  <file name>\n` per file of its directory,
 * sorted by name. It pins every file (executable, loader, libraries, CA roots), not only the executable. The build
 * writes it, the agent serves it, the webhook pins it in the install init container, env-exec's install step checks it.
 */
import { createHash } from 'node:crypto';

export interface ManifestEntry {
  readonly name: string;
  readonly sha256: string;
}

export function manifestText(entries: readonly ManifestEntry[]): string {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => `${e.sha256}  ${e.name}\n`).join('');
}

export const manifestDigest = (entries: readonly ManifestEntry[]): string => createHash('sha256').update(manifestText(entries)).digest('hex');
