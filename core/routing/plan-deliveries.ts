import type { KeyVaultEvent } from '../events/key-vault-event.js';
import type { Notification } from '../notification/notification.js';
import { toNotification } from '../notification/notification-from-event.js';
import { compileNameGlob } from './name-glob.js';

/** A cluster and the vault objects it wants (static configuration; the Table-backed registry gives the same shape). */
export interface ClusterRoute {
  readonly name: string;
  /** Vault names (case-insensitive), or `'*'` for every vault. */
  readonly vaults: readonly string[] | '*';
  /** Optional object-name globs (`*`, `?`); absent means every object of those vaults. */
  readonly objects?: readonly string[];
}

/** What has already been delivered (or enqueued). The caller marks a key only after its delivery succeeded. */
export interface DedupeView {
  hasDelivered(key: string): boolean;
}

export interface PlannedDelivery {
  readonly cluster: string;
  readonly notification: Notification;
  readonly dedupeKey: string;
}

export type SkipReason =
  /** Already delivered to this cluster in an earlier delivery (per the dedupe view). */
  | 'duplicate'
  /** The same dedupe key appears earlier in this batch (Event Grid redelivered inside one batch). */
  | 'duplicate-in-batch'
  /** No configured cluster wants this vault object. */
  | 'no-subscriber';

export interface SkippedDelivery {
  /** Undefined for `no-subscriber`. */
  readonly cluster: string | undefined;
  readonly eventId: string;
  readonly dedupeKey: string | undefined;
  readonly reason: SkipReason;
}

export interface DeliveryPlan {
  /** In event-time order (ties keep input order), then cluster order. */
  readonly deliveries: readonly PlannedDelivery[];
  readonly skipped: readonly SkippedDelivery[];
}

/**
 * The dedupe key of one event for one cluster: cluster, vault, object type, object name, version and event kind
 * (a NearExpiry of a synced version is not a duplicate of its NewVersionCreated). Each part is percent-encoded and
 * joined with `:`, so the key is unambiguous and free of the characters Azure Table keys forbid (`/ \ # ?`).
 */
export function dedupeKey(cluster: string, e: KeyVaultEvent): string {
  return [cluster, e.vault, e.objectType, e.objectName.toLowerCase(), e.version.toLowerCase(), e.kind]
    .map(encodeURIComponent)
    .join(':');
}

type Matcher = (e: KeyVaultEvent) => boolean;

function compileRoute(route: ClusterRoute): Matcher {
  const vaults = route.vaults === '*' ? undefined : new Set(route.vaults.map((v) => v.toLowerCase()));
  const globs = route.objects?.map(compileNameGlob);
  return (e) => (vaults === undefined || vaults.has(e.vault)) && (globs === undefined || globs.some((g) => g(e.objectName)));
}

/**
 * Decides, without I/O, which cluster gets a notification for which event. Events are ordered by event time
 * (Key Vault versions are opaque, and the agent reads the latest version anyway, so order only matters for
 * readability and fairness); every distinct dedupe key is kept, duplicates are reported with a reason.
 */
export function planDeliveries(
  events: readonly KeyVaultEvent[],
  clusters: readonly ClusterRoute[],
  dedupe: DedupeView,
): DeliveryPlan {
  const routes = clusters.map((c) => ({ name: c.name, matches: compileRoute(c) }));
  const ordered = events
    .map((e, i) => ({ e, i, t: Date.parse(e.eventTime) }))
    .sort((a, b) => a.t - b.t || a.i - b.i);
  const deliveries: PlannedDelivery[] = [];
  const skipped: SkippedDelivery[] = [];
  const seen = new Set<string>();
  for (const { e } of ordered) {
    let matched = false;
    for (const route of routes) {
      if (!route.matches(e)) continue;
      matched = true;
      const key = dedupeKey(route.name, e);
      const reason: SkipReason | undefined = seen.has(key) ? 'duplicate-in-batch' : dedupe.hasDelivered(key) ? 'duplicate' : undefined;
      if (reason) {
        skipped.push({ cluster: route.name, eventId: e.eventId, dedupeKey: key, reason });
        continue;
      }
      seen.add(key);
      deliveries.push({ cluster: route.name, notification: toNotification(e), dedupeKey: key });
    }
    if (!matched) skipped.push({ cluster: undefined, eventId: e.eventId, dedupeKey: undefined, reason: 'no-subscriber' });
  }
  return { deliveries, skipped };
}
