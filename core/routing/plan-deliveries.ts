import type { KeyVaultEvent } from '../events/key-vault-event.js';
import type { Notification } from '../notification/notification.js';
import { toNotification } from '../notification/notification-from-event.js';
import { RoutingTable, type ClusterRoute } from './routing-table.js';

export type { ClusterRoute } from './routing-table.js';

/** Who wants an event's vault object: a RoutingTable, or routes resolved beforehand (the Table registry's lookups). */
export interface ClusterResolver {
  clustersFor(e: KeyVaultEvent): readonly string[];
}

export interface PlannedDelivery {
  readonly cluster: string;
  readonly notification: Notification;
  readonly dedupeKey: string;
}

export type SkipReason =
  /** Already delivered to this cluster in an earlier delivery (the caller's dedupe store says so; planDeliveries never reports it). */
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

/**
 * Decides, without I/O, which cluster gets a notification for which event. Events are ordered by event time
 * (Key Vault versions are opaque, and the agent reads the latest version anyway, so order only matters for
 * readability and fairness); every distinct dedupe key is kept, duplicates inside the batch are reported with a
 * reason. What earlier deliveries already did is the caller's question (its dedupe store is asynchronous).
 * `routes` is best a RoutingTable built once from configuration; plain routes are compiled for this call.
 */
export function planDeliveries(
  events: readonly KeyVaultEvent[],
  routes: ClusterResolver | readonly ClusterRoute[],
): DeliveryPlan {
  const table = 'clustersFor' in routes ? routes : new RoutingTable(routes);
  const ordered = events
    .map((e, i) => ({ e, i, t: Date.parse(e.eventTime) }))
    .sort((a, b) => a.t - b.t || a.i - b.i);
  const deliveries: PlannedDelivery[] = [];
  const skipped: SkippedDelivery[] = [];
  const seen = new Set<string>();
  for (const { e } of ordered) {
    const clusters = table.clustersFor(e);
    for (const cluster of clusters) {
      const key = dedupeKey(cluster, e);
      if (seen.has(key)) {
        skipped.push({ cluster, eventId: e.eventId, dedupeKey: key, reason: 'duplicate-in-batch' });
        continue;
      }
      seen.add(key);
      deliveries.push({ cluster, notification: toNotification(e), dedupeKey: key });
    }
    if (clusters.length === 0) skipped.push({ cluster: undefined, eventId: e.eventId, dedupeKey: undefined, reason: 'no-subscriber' });
  }
  return { deliveries, skipped };
}
