/**
 * The workload of the Function throughput benchmark (bench/function-throughput.ts), kept in its own module so the
 * benchmark can compile it the way the Function is deployed (plain JavaScript, see that file) before measuring.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SignedNotification } from '../../core/notification/notification.js';
import { NotificationSigner } from '../../core/notification/notification-signer.js';
import type { SigningKey } from '../../core/notification/signature.js';
import type { ClusterRoute } from '../../core/routing/plan-deliveries.js';
import { RoutingTable } from '../../core/routing/routing-table.js';
import { forEachLimited } from '../../core/concurrency/for-each-limited.js';
import { InMemoryDedupeStore } from '../../functions/adapters/in-memory-dedupe-store.js';
import { TableDedupeStore } from '../../functions/adapters/table-dedupe-store.js';
import type { DedupeStore } from '../../functions/ports/dedupe-store.js';
import { DEDUPE_TABLE, storageClients } from '../../functions/storage-clients.js';
import type { Logger } from '../../functions/ports/logger.js';
import type { NotificationSink } from '../../functions/ports/notification-sink.js';
import { noopTelemetry } from '../../functions/ports/telemetry.js';
import { routeKeyVaultEvents, type RouteDependencies } from '../../functions/route-key-vault-events.js';
import { newVersionEvent, type EventGridEvent } from '../../scripts/kv-emulator/event-grid-event.js';

export const VAULTS = ['kv-prod-eu', 'kv-prod-us', 'kv-shared', 'kv-team-a', 'kv-team-b'];
export const OBJECTS_PER_VAULT = 200;
export const MEASURED_EVENTS = 100_000;
export const WARMUP_EVENTS = 10_000;
/** Share of deliveries that are Event Grid redeliveries of an event already handled (at-least-once). */
export const REDELIVERY_RATE = 0.1;

/** Ten clusters with the shapes static configuration allows: every vault, some vaults, object globs. */
export const CLUSTERS: ClusterRoute[] = [
  { name: 'aks-eu-1', vaults: ['kv-prod-eu', 'kv-shared'] },
  { name: 'aks-eu-2', vaults: ['kv-prod-eu', 'kv-shared'] },
  { name: 'aks-us-1', vaults: ['kv-prod-us', 'kv-shared'] },
  { name: 'aks-us-2', vaults: ['kv-prod-us'], objects: ['db-*', 'api-key-?'] },
  { name: 'aks-team-a', vaults: ['kv-team-a'] },
  { name: 'aks-team-b', vaults: ['kv-team-b'], objects: ['*-password'] },
  { name: 'aks-platform', vaults: '*' },
  { name: 'aks-dev', vaults: ['kv-team-a', 'kv-team-b'], objects: ['dev-*'] },
  { name: 'aks-batch', vaults: ['kv-shared'], objects: ['batch-*'] },
  { name: 'aks-edge', vaults: ['kv-prod-eu'], objects: ['edge-*', 'cdn-*'] },
];

const PREFIXES = ['db', 'api-key', 'edge', 'cdn', 'batch', 'dev', 'svc', 'tls'];
const objectName = (i: number): string => `${PREFIXES[i % PREFIXES.length]}-${i % 3 === 0 ? 'password' : `item${i}`}`;

function makeEvent(seq: number, baseMs: number): EventGridEvent {
  const vault = VAULTS[seq % VAULTS.length] as string;
  const name = objectName(Math.floor(seq / VAULTS.length) % OBJECTS_PER_VAULT);
  return newVersionEvent({
    id: randomUUID(),
    vault,
    resourceId: `/subscriptions/5ab5c1d0-0000-4000-8000-00000000a4b5/resourceGroups/bench/providers/Microsoft.KeyVault/vaults/${vault}`,
    eventTime: new Date(baseMs + seq).toISOString(),
    created: { objectType: 'Secret', name, version: randomBytes(16).toString('hex'), nbf: undefined, exp: undefined },
  });
}

/** Event Grid's default is one event per delivery (maxEventsPerBatch 1); some deliveries repeat an earlier event. */
export function makeDeliveries(count: number, batchSize: number): string[] {
  const baseMs = Date.UTC(2026, 0, 1);
  const handled: EventGridEvent[] = [];
  const bodies: string[] = [];
  let seq = 0;
  while (bodies.length < count) {
    const batch: EventGridEvent[] = [];
    for (let i = 0; i < batchSize; i++) {
      const redeliver = handled.length > 0 && (seq * 7919) % 100 < REDELIVERY_RATE * 100;
      const event = redeliver ? (handled[(seq * 104729) % handled.length] as EventGridEvent) : makeEvent(seq, baseMs);
      if (!redeliver) handled.push(event);
      batch.push(event);
      seq++;
    }
    bodies.push(JSON.stringify(batchSize === 1 ? batch[0] : batch));
  }
  return bodies;
}

/** Accepts every signed notification and sends nothing. */
class InMemorySink implements NotificationSink {
  accepted = 0;
  deliver(): Promise<void> {
    this.accepted++;
    return Promise.resolve();
  }
}

const BENCH_KEY: SigningKey = { keyId: 'bench-2026', key: new Uint8Array(randomBytes(32)) };
const UNSIGNED: SignedNotification = { keyId: BENCH_KEY.keyId, timestamp: 0, signature: 'v1=', body: '{}' };

/** The real signer (notificationBody + HMAC per delivery, as every attempt does), or a stand-in that skips that work. */
function signerFor(sign: boolean): RouteDependencies['signer'] {
  return sign ? new NotificationSigner(() => BENCH_KEY, { now: () => Date.now() }) : { sign: () => UNSIGNED };
}

const countingLog = (): Logger & { lines: number } => {
  const log = { lines: 0, info: () => void log.lines++, warn: () => void log.lines++, error: () => void log.lines++ };
  return log;
};

export interface PassResult {
  readonly deliveries: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly notificationsRouted: number;
  readonly duplicatesSkipped: number;
  readonly logLines: number;
}

export interface PassOptions {
  /** Default: a fresh InMemoryDedupeStore. */
  readonly dedupe?: DedupeStore;
  /** Deliveries handled at once (a Function instance runs several invocations concurrently); default 1. */
  readonly inFlight?: number;
}

export async function pass(bodies: readonly string[], batchSize: number, sign: boolean, options: PassOptions = {}): Promise<PassResult> {
  const sink = new InMemorySink();
  const log = countingLog();
  const deps: RouteDependencies = {
    clusters: new RoutingTable(CLUSTERS), // compiled once, as functions/runtime.ts does
    signer: signerFor(sign),
    sink,
    dedupe: options.dedupe ?? new InMemoryDedupeStore({ clock: { now: () => Date.now() } }),
    clock: { now: () => Date.now() },
    telemetry: noopTelemetry,
    log,
  };
  let duplicates = 0;
  const route = async (body: string): Promise<void> => {
    const report = await routeKeyVaultEvents(JSON.parse(body), deps);
    duplicates += report.duplicates;
  };
  const started = performance.now();
  if ((options.inFlight ?? 1) === 1) for (const body of bodies) await route(body);
  else await forEachLimited(bodies, options.inFlight ?? 1, route);
  const elapsedMs = performance.now() - started;
  const events = bodies.length * batchSize;
  return {
    deliveries: bodies.length,
    events,
    elapsedMs: Math.round(elapsedMs),
    eventsPerSecond: Math.round((events / elapsedMs) * 1000),
    notificationsRouted: sink.accepted,
    duplicatesSkipped: duplicates,
    logLines: log.lines,
  };
}

/** A TableDedupeStore on the given Storage account, its table created. */
export async function tableDedupe(connectionString: string): Promise<DedupeStore> {
  const store = new TableDedupeStore({ table: storageClients(connectionString).table(DEDUPE_TABLE), clock: { now: () => Date.now() } });
  await store.ensureTable();
  return store;
}

export interface WorkloadResult {
  readonly single: PassResult;
  readonly batched: PassResult;
  readonly singleSigned: PassResult;
}

/** Warm-up, then the three measured passes. */
export async function runWorkload(): Promise<WorkloadResult> {
  const singles = makeDeliveries(MEASURED_EVENTS, 1);
  const batches = makeDeliveries(MEASURED_EVENTS / 10, 10);
  await pass(makeDeliveries(WARMUP_EVENTS, 1), 1, false);
  const single = await pass(singles, 1, false);
  const batched = await pass(batches, 10, false);
  const singleSigned = await pass(singles, 1, true);
  return { single, batched, singleSigned };
}
