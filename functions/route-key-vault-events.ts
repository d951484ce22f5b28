/**
 * The Function's work for one Event Grid delivery, with its I/O behind ports so tests and the local host drive
 * it directly: parse (malformed items are acknowledged and counted), plan which cluster gets which notification
 * (core/routing), skip what the dedupe store says was delivered, sign and push the rest concurrently (at most IN_FLIGHT at once; one
 * sendNotification attempt each), and mark each
 * dedupe key only after its push succeeded. Delivery errors go through dispositionOf: refused ones are logged
 * and acknowledged; with a retry path (AKVSYNC_STORAGE), a failed push goes to its cluster's retry queue (or a
 * refused one to the poison queue) and the event is acknowledged once that is stored; without one, or when storing
 * fails, it throws DeliveryRetryError after the others were delivered, so Event Grid retries.
 * Errors outside a delivery (a dedupe store that is down) propagate, so Event Grid retries.
 */
import { mapLimited } from '../core/concurrency/map-limited.js';
import { parseKeyVaultEvents } from '../core/events/parse-key-vault-events.js';
import type { KeyVaultEvent, RejectedEvent } from '../core/events/key-vault-event.js';
import type { Clock } from '../core/ports/clock.js';
import { planDeliveries, type ClusterResolver, type ClusterRoute, type DeliveryPlan, type PlannedDelivery, type SkippedDelivery } from '../core/routing/plan-deliveries.js';
import { RoutingTable } from '../core/routing/routing-table.js';
import { DeliveryRetryError, dispositionOf, errorCode, needsOperator, type DeliveryFailure } from './delivery-disposition.js';
import type { DedupeStore } from './ports/dedupe-store.js';
import type { Logger } from './ports/logger.js';
import type { NotificationSink } from './ports/notification-sink.js';
import type { Telemetry } from './ports/telemetry.js';
import { sendNotification, type DeliveryChannel } from './send-notification.js';
import { retryFailedPush, type RetryPath } from './retry-failed-push.js';

/**
 * Dedupe look-ups and deliveries in flight at once per invocation. One event can fan out to a thousand clusters; all
 * at once would open a socket each (Azure limits a Function instance's outbound connections, SNAT) and swamp the
 * storage account, while a bound this size still overlaps the round trips of a whole fleet.
 */
export const IN_FLIGHT = 128;

export interface RouteDependencies {
  /** Who wants which vault object: a RoutingTable compiled once from configuration (plain routes are compiled per call). */
  readonly clusters: RoutingTable | readonly ClusterRoute[];
  readonly signer: DeliveryChannel['signer'];
  readonly sink: NotificationSink;
  readonly dedupe: DedupeStore;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly log: Logger;
  /** The retry and poison queues (AKVSYNC_STORAGE); without it Event Grid's own retry is the retry path. */
  readonly retry?: RetryPath;
  /** The Table-backed cluster registry (AKVSYNC_REGISTRY_KEYS): registered clusters are routed besides `clusters`. */
  readonly registry?: { clustersFor(e: KeyVaultEvent): Promise<readonly string[]> };
}

export interface RouteReport {
  /** Items in the delivery (valid or not). */
  readonly received: number;
  /** Event types we do not act on, and events no cluster subscribes to. */
  readonly ignored: number;
  readonly invalid: number;
  readonly duplicates: number;
  readonly delivered: readonly PlannedDelivery[];
  /** Deliveries a cluster refused for good: logged, counted and acknowledged (and poisoned with a retry path). */
  readonly refused: readonly DeliveryFailure[];
  /** Failed pushes now waiting in their cluster's retry queue. */
  readonly retryQueued: readonly PlannedDelivery[];
}

export async function routeKeyVaultEvents(body: unknown, deps: RouteDependencies): Promise<RouteReport> {
  const parsed = parseKeyVaultEvents(body);
  const received = parsed.events.length + parsed.rejected.length;
  deps.telemetry.count('received', received);
  const invalid = recordRejected(parsed.rejected, deps);

  const plan = await planAgainstDedupeStore(parsed.events, deps);
  const { duplicates, unsubscribed } = recordSkipped(plan.skipped, deps);

  const outcomes = await mapLimited(plan.deliveries, IN_FLIGHT, (d) => deliver(d, deps));
  const failures = outcomes.filter((o): o is DeliveryFailure => typeof o === 'object');
  const retry = failures.filter((f) => f.disposition === 'retry');
  if (retry.length > 0) throw new DeliveryRetryError(retry, plan.deliveries.length);
  return {
    received,
    ignored: parsed.rejected.length - invalid + unsubscribed,
    invalid,
    duplicates,
    delivered: plan.deliveries.filter((_, i) => outcomes[i] === 'delivered'),
    refused: failures, // every remaining failure is acknowledged: a retry would have thrown above
    retryQueued: plan.deliveries.filter((_, i) => outcomes[i] === 'retry-queued'),
  };
}

/** Logs and counts the items that were not events we act on; returns how many were malformed. */
function recordRejected(rejected: readonly RejectedEvent[], { log, telemetry }: RouteDependencies): number {
  for (const r of rejected) {
    const fields = { index: r.index, eventId: r.eventId, eventType: r.eventType, reason: r.reason };
    if (r.outcome === 'invalid') log.warn('malformed event acknowledged, not retried', fields);
    else log.info('event ignored', fields);
    telemetry.count(r.outcome, 1, { eventType: r.eventType ?? 'unknown' });
  }
  return rejected.filter((r) => r.outcome === 'invalid').length;
}

function recordSkipped(skipped: readonly SkippedDelivery[], { log, telemetry }: RouteDependencies): { duplicates: number; unsubscribed: number } {
  let unsubscribed = 0;
  for (const s of skipped) {
    if (s.reason === 'no-subscriber') {
      unsubscribed++;
      log.info('no cluster subscribes to this vault object', { eventId: s.eventId });
      telemetry.count('ignored', 1, { reason: s.reason });
    } else {
      log.info('duplicate delivery skipped', { cluster: s.cluster, eventId: s.eventId, reason: s.reason });
      telemetry.count('duplicate', 1, { cluster: s.cluster ?? 'unknown', reason: s.reason });
    }
  }
  return { duplicates: skipped.length - unsubscribed, unsubscribed };
}

/** Plans once, asks the (asynchronous) store about each planned key, and moves the delivered ones to `skipped`. */
async function planAgainstDedupeStore(events: readonly KeyVaultEvent[], deps: RouteDependencies): Promise<DeliveryPlan> {
  const plan = planDeliveries(events, await withRegistered(events, deps));
  const answers = await mapLimited(plan.deliveries, IN_FLIGHT, (d) => deps.dedupe.has(d.dedupeKey));
  const duplicates: SkippedDelivery[] = plan.deliveries
    .filter((_, i) => answers[i])
    .map((d) => ({ cluster: d.cluster, eventId: d.notification.eventId, dedupeKey: d.dedupeKey, reason: 'duplicate' }));
  return { deliveries: plan.deliveries.filter((_, i) => !answers[i]), skipped: [...plan.skipped, ...duplicates] };
}

/** The configured routes plus, with a registry, the registered clusters of each event (two partition reads per event). */
async function withRegistered(events: readonly KeyVaultEvent[], deps: RouteDependencies): Promise<ClusterResolver | RouteDependencies['clusters']> {
  const { registry } = deps;
  if (!registry) return deps.clusters;
  const configured = 'clustersFor' in deps.clusters ? deps.clusters : new RoutingTable(deps.clusters);
  const registered = new Map(await Promise.all(events.map(async (e) => [e, await registry.clustersFor(e)] as const)));
  return { clustersFor: (e) => [...configured.clustersFor(e), ...(registered.get(e) ?? [])] };
}

/** Pushes one notification and marks it; resolves to what happened, a failure included (never rejects). */
async function deliver(delivery: PlannedDelivery, deps: RouteDependencies): Promise<'delivered' | 'retry-queued' | DeliveryFailure> {
  const { cluster, notification: n } = delivery;
  const fields = { cluster, vault: n.vault, objectType: n.objectType, objectName: n.objectName, version: n.version, eventType: n.eventType, eventId: n.eventId };
  try {
    await sendNotification(deps, cluster, n);
    await deps.dedupe.mark(delivery.dedupeKey);
  } catch (error) {
    const disposition = dispositionOf(error);
    deps.telemetry.count('failed', 1, { cluster, code: errorCode(error), disposition });
    const detail = { ...fields, code: errorCode(error), error: error instanceof Error ? error.message : String(error) };
    if (disposition === 'acknowledge') deps.log.error('delivery refused, acknowledged without retry', detail);
    else if (needsOperator(error)) deps.log.error('delivery refused until an operator acts (agent keyring or clock); retried', detail);
    if (!deps.retry?.appliesTo(cluster)) return { delivery, error, disposition };
    const retry = { cluster, notification: n, dedupeKey: delivery.dedupeKey, attempts: 1, firstFailedAt: new Date(deps.clock.now()).toISOString(), lastError: errorCode(error) };
    try {
      const outcome = await retryFailedPush(retry, error, { retry: deps.retry, telemetry: deps.telemetry, log: deps.log });
      return outcome === 'retry-queued' ? outcome : { delivery, error, disposition: 'acknowledge' };
    } catch (storeError) {
      deps.log.error('could not store the failed push in the retry path; Event Grid retries the event', { ...fields, code: errorCode(storeError) });
      return { delivery, error: storeError, disposition: 'retry' };
    }
  }
  const latencyMs = Math.max(0, deps.clock.now() - Date.parse(n.eventTime));
  deps.telemetry.count('delivered', 1, { cluster, eventType: n.eventType });
  if (Number.isFinite(latencyMs)) deps.telemetry.deliveryLatency(latencyMs, { cluster, eventType: n.eventType });
  deps.log.info('notification delivered', fields);
  return 'delivered';
}
