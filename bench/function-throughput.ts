/**
 * Benchmark (b): the Function's per-event work on one core, in memory — the real routing service
 * (functions/route-key-vault-events.ts: parseKeyVaultEvents → planDeliveries against the dedupe store → deliver →
 * mark) with the real InMemoryDedupeStore and a sink that sends nothing. The target covers parse + dedupe decision +
 * route; a further pass also builds and HMAC-signs every notification (the real notificationBody + signNotification),
 * the rest of the Function's CPU work per delivery. Storage and network round trips are not included.
 *
 * The Function runs in Azure as plain JavaScript (tsc output). Under tsx every closure created at run time is
 * wrapped by esbuild's keepNames helper, which slows the routing code markedly, so the workload is first compiled
 * to plain JavaScript with esbuild (no keepNames, nothing else changed) and measured from that.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { atLeast, beginBench, finishBench } from './support/bench-result.js';
import { compileForBench } from './support/compile-for-bench.js';
import { startAzurite } from '../scripts/local-stack/azurite.js';
import { tableOperationLabel } from '../scripts/fleet/storage-operation-label.js';
import { operationsAndRetries, startStorageRequestCounter } from '../scripts/fleet/storage-request-counter.js';
import type * as Workload from './support/function-routing-workload.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Events routed against the Table dedupe store, per pass (each event costs Azurite round trips). */
const TABLE_EVENTS = 2_000;
const TABLE_IN_FLIGHT = 16;

async function loadCompiledWorkload(): Promise<typeof Workload> {
  const outfile = await compileForBench(join(here, 'support', 'function-routing-workload.ts'), { external: true });
  try {
    return (await import(pathToFileURL(outfile).href)) as typeof Workload;
  } finally {
    rmSync(dirname(outfile), { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const run = beginBench('function-throughput', 'Function: parse + dedupe decision + route, one core, in memory');
  const compiled = await loadCompiledWorkload();
  const { single, batched, singleSigned } = await compiled.runWorkload();
  const table = await withTableDedupe(compiled);
  const { VAULTS, OBJECTS_PER_VAULT, MEASURED_EVENTS, WARMUP_EVENTS, REDELIVERY_RATE, CLUSTERS } = compiled;
  finishBench(run, {
    method:
      `${MEASURED_EVENTS} SecretNewVersionCreated events in the Event Grid wire shape (the emulator's newVersionEvent), ` +
      `${VAULTS.length} vaults x ${OBJECTS_PER_VAULT} objects, ${REDELIVERY_RATE * 100}% of deliveries repeating an earlier event. ` +
      `Each delivery is JSON.parse'd and handed to the Function's routeKeyVaultEvents with ${CLUSTERS.length} statically ` +
      'configured clusters (all-vault, per-vault and object-glob routes), the real InMemoryDedupeStore, no-op telemetry, a ' +
      'counting logger (no log I/O), and a sink that accepts every notification without sending it. ' +
      `Sequential on one thread after ${WARMUP_EVENTS} warm-up events. Main figure: one event per delivery (Event Grid default). ` +
      'The main passes hand the route a stand-in signer; a further pass repeats the single-event run with the real ' +
      'NotificationSigner (notificationBody + HMAC per delivery attempt, as every sink gets it). The code is compiled to plain JavaScript first, as deployed. ' +
      `Table dedupe: ${TABLE_EVENTS} further events (same shape) routed the same way but against the real TableDedupeStore on Azurite ` +
      `(AKVSYNC_STORAGE's store: point reads before, a conditional insert after each delivery), one at a time and ${TABLE_IN_FLIGHT} in flight; ` +
      'every request to Azurite goes through a counting proxy, so the round trips per event are counted, not estimated; the same events ' +
      'routed in memory in the same run give the pure parse + route time they contain.',
    targets: [atLeast('events per second (one event per delivery)', single.eventsPerSecond, 5000, 'events/s')],
    metrics: {
      oneEventPerDelivery: single,
      tenEventsPerDelivery: batched,
      oneEventPerDeliveryWithSigning: singleSigned,
      clusters: CLUSTERS.length,
      notificationsPerEvent: Math.round((single.notificationsRouted / single.events) * 100) / 100,
      tableDedupe: table,
    },
    notes: [
      'The main figure has no storage round trips; tableDedupe has them, counted per event (Azurite on this machine: a Storage account in Azure answers in a few ms over the network, and scales out, where Azurite is one local process). Queue sends and HTTPS pushes are in neither: the sink accepts without sending (fleet-routing counts queue sends).',
      'Node runs this on one thread, so the figure is per core.',
      `Every event fans out to about ${Math.round((single.notificationsRouted / single.events) * 10) / 10} clusters here, so the with-signing pass signs that many notifications per event.`,
      'Measured from compiled JavaScript, as deployed; loaded through tsx (development mode) the same code is slower, because esbuild keepNames wraps every closure created at run time.',
      'Other processes on the machine share its cores; compare runs taken on a quiet machine.',
    ],
  });
}

/** The Table-dedupe passes: Azurite behind a counting proxy, round trips per event, and the same events in memory. */
async function withTableDedupe(compiled: typeof Workload) {
  const azurite = await startAzurite();
  const counter = await startStorageRequestCounter(azurite.tableUrl, tableOperationLabel);
  try {
    const connection = azurite.connectionString.replace(/TableEndpoint=[^;]+/, `TableEndpoint=${counter.url}`);
    const measure = async (inFlight: number) => {
      const bodies = compiled.makeDeliveries(TABLE_EVENTS, 1);
      const dedupe = await compiled.tableDedupe(connection);
      counter.reset();
      const result = await compiled.pass(bodies, 1, false, { dedupe, inFlight });
      const { operations, total, retries } = operationsAndRetries(counter.counts());
      return { ...result, inFlight, storageRoundTrips: operations, storageRetries: retries, storageRoundTripsPerEvent: Math.round((total / result.events) * 100) / 100, bodies };
    };
    const sequential = await measure(1);
    const concurrent = await measure(TABLE_IN_FLIGHT);
    const sameEventsInMemory = await compiled.pass(sequential.bodies, 1, false);
    if (sameEventsInMemory.notificationsRouted !== sequential.notificationsRouted) {
      throw new Error(`the Table-dedupe pass routed ${sequential.notificationsRouted} notifications, the in-memory pass of the same events ${sameEventsInMemory.notificationsRouted}`);
    }
    const strip = ({ bodies: _bodies, ...rest }: Awaited<ReturnType<typeof measure>>) => rest;
    const perEventMs = (r: { elapsedMs: number; events: number }) => r.elapsedMs / r.events;
    return {
      oneInFlight: strip(sequential),
      [`${TABLE_IN_FLIGHT}InFlight`]: strip(concurrent),
      sameEventsInMemory,
      parseAndRouteShareOfOneInFlight: Math.round((perEventMs(sameEventsInMemory) / perEventMs(sequential)) * 1000) / 1000,
    };
  } finally {
    await counter.close();
    await azurite.stop();
  }
}

await main();
