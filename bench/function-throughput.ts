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
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { atLeast, beginBench, finishBench } from './support/bench-result.js';
import type * as Workload from './support/function-routing-workload.js';

const here = dirname(fileURLToPath(import.meta.url));

async function loadCompiledWorkload(): Promise<typeof Workload> {
  const dir = mkdtempSync(join(tmpdir(), 'akvsync-bench-'));
  try {
    const outfile = join(dir, 'function-routing-workload.mjs');
    await build({
      entryPoints: [join(here, 'support', 'function-routing-workload.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'es2023',
      outfile,
      logLevel: 'error',
    });
    return (await import(pathToFileURL(outfile).href)) as typeof Workload;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const run = beginBench('function-throughput', 'Function: parse + dedupe decision + route, one core, in memory');
  const compiled = await loadCompiledWorkload();
  const { single, batched, singleSigned } = await compiled.runWorkload();
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
      'NotificationSigner (notificationBody + HMAC per delivery attempt, as every sink gets it). The code is compiled to plain JavaScript first, as deployed.',
    targets: [atLeast('events per second (one event per delivery)', single.eventsPerSecond, 5000, 'events/s')],
    metrics: {
      oneEventPerDelivery: single,
      tenEventsPerDelivery: batched,
      oneEventPerDeliveryWithSigning: singleSigned,
      clusters: CLUSTERS.length,
      notificationsPerEvent: Math.round((single.notificationsRouted / single.events) * 100) / 100,
    },
    notes: [
      'Storage round trips (the Table dedupe store: point reads per delivery, one conditional insert per success; queue sends) and HTTPS pushes are not included: with AKVSYNC_STORAGE each delivery adds those round trips, which a Table-backed throughput benchmark (issue 8 item 8) is still to measure.',
      'Node runs this on one thread, so the figure is per core.',
      `Every event fans out to about ${Math.round((single.notificationsRouted / single.events) * 10) / 10} clusters here, so the with-signing pass signs that many notifications per event.`,
      'Measured from compiled JavaScript, as deployed; loaded through tsx (development mode) the same code is slower, because esbuild keepNames wraps every closure created at run time.',
      'Other processes on the machine share its cores; compare runs taken on a quiet machine.',
    ],
  });
}

await main();
