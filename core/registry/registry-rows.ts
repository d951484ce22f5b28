/**
 * The cluster registry's layout in one Azure Table, chosen so routing an event never scans the fleet:
 *
 *   PartitionKey                           RowKey      what
 *   `cluster`                              <cluster>   delivery mode, endpoint, CA, subscription hash, lastHeartbeat
 *   `obj.<vault>.<Type>.<b64url(name)>`    <cluster>   the cluster subscribes to this exact vault object
 *   `glob.<vault>`                         <cluster>   the cluster's globs for this vault (`Patterns`: ["Secret:db-*", …])
 *   `subs.<cluster>`                       <forward PK> the reverse index: which forward rows the cluster owns (for the diff)
 *
 * Routing one event reads two partitions — its object's and its vault's glob partition — each holding only rows
 * of clusters that subscribe there, never the rows of the rest of the fleet. Object names are lower-cased (Key Vault
 * names are case-insensitive) and base64url-encoded, so no key holds a character Table keys forbid (`/ \ # ?`) or
 * mishandle (`%`). Cluster names are already key-safe.
 */
import { createHash } from 'node:crypto';
import type { KeyVaultObjectType } from '../events/key-vault-event.js';
import { compileNameGlob } from '../routing/name-glob.js';
import { isGlob, type Subscription } from './registration.js';

export const REGISTRY_TABLE = 'akvsyncregistry';
export const CLUSTER_PARTITION = 'cluster';

export const objectPartition = (vault: string, objectType: KeyVaultObjectType, objectName: string): string =>
  `obj.${vault.toLowerCase()}.${objectType}.${Buffer.from(objectName.toLowerCase(), 'utf8').toString('base64url')}`;
export const globPartition = (vault: string): string => `glob.${vault.toLowerCase()}`;
export const reversePartition = (cluster: string): string => `subs.${cluster}`;

/** The forward rows a subscription set needs: forward PartitionKey → the glob patterns of that row ('' for an exact row). */
export function forwardRows(subscriptions: readonly Subscription[]): Map<string, string> {
  const exact = new Map<string, string>();
  const globs = new Map<string, string[]>();
  for (const s of subscriptions) {
    if (!isGlob(s.objectName)) exact.set(objectPartition(s.vault, s.objectType, s.objectName), '');
    else globs.set(globPartition(s.vault), [...(globs.get(globPartition(s.vault)) ?? []), `${s.objectType}:${s.objectName}`]);
  }
  for (const [pk, patterns] of globs) exact.set(pk, JSON.stringify([...new Set(patterns)].sort()));
  return exact;
}

export interface RowDiff {
  /** Forward PKs to write (new, or glob patterns changed) with their patterns. */
  readonly upsert: ReadonlyMap<string, string>;
  /** Forward PKs the cluster no longer needs. */
  readonly remove: readonly string[];
}

/** What to write and delete to move a cluster from its stored forward rows to the wanted ones. */
export function diffRows(stored: ReadonlyMap<string, string>, wanted: ReadonlyMap<string, string>): RowDiff {
  const upsert = new Map([...wanted].filter(([pk, patterns]) => stored.get(pk) !== patterns));
  return { upsert, remove: [...stored.keys()].filter((pk) => !wanted.has(pk)) };
}

/** A digest of the forward rows: a heartbeat whose set is unchanged writes only `lastHeartbeat`. */
export function subscriptionHash(rows: ReadonlyMap<string, string>): string {
  const canonical = [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([pk, p]) => `${pk}\t${p}`).join('\n');
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/** Whether a glob row's patterns (its `Patterns` JSON) match the object. Malformed patterns match nothing. */
export function globRowMatches(patternsJson: string, objectType: KeyVaultObjectType, objectName: string): boolean {
  let patterns: unknown;
  try {
    patterns = JSON.parse(patternsJson);
  } catch {
    return false;
  }
  if (!Array.isArray(patterns)) return false;
  return patterns.some((p) => typeof p === 'string' && p.startsWith(`${objectType}:`) && compileNameGlob(p.slice(objectType.length + 1))(objectName));
}

/** A cluster is stale when it has not heartbeaten for `staleAfterMs`: its queue keeps receiving, pushes go to the retry path. */
export const isStale = (lastHeartbeatMs: number, nowMs: number, staleAfterMs: number): boolean => nowMs - lastHeartbeatMs > staleAfterMs;
