/**
 * Queue-mode propagation: Key Vault change → Secret written, for a private cluster (no inbound endpoint). Each
 * rotation goes the whole way: a new version in the Key Vault emulator → its Event Grid event → the Function app on
 * the local Functions host → the signed envelope on the cluster's Storage Queue (Azurite) → the real agent's queue
 * consumer (cluster-agent/intake/storage-queue-consumer.ts, its notify endpoint switched off) → Secret applied.
 * The consumer polls an empty queue with a backoff up to AKVSYNC_QUEUE_MAX_POLL_INTERVAL, so where a change lands
 * in that cycle sets most of the wait: rotations are spaced by a random idle gap, so they land at random phases.
 */
import { randomBytes } from 'node:crypto';
import { deliveryQueueName } from '../functions/cluster-queues.js';
import { akvsSpec, createAkvs } from '../scripts/demo/cluster-fixtures.js';
import { waitUntil } from '../scripts/local-stack/wait-until.js';
import { beginBench, finishBench } from './support/bench-result.js';
import { startBenchStack } from './support/bench-stack.js';
import { summarizeLatencies } from './support/percentiles.js';

const VAULT = 'kv-bench-queue';
const OBJECT = 'db-password';
const NAMESPACE = 'bench-queue';
const CLUSTER = 'private-bench';
const POLL_INTERVAL = process.env.BENCH_QUEUE_POLL_INTERVAL ?? '5s';
const WARMUP = 3;
const ROTATIONS = Number(process.env.BENCH_QUEUE_ROTATIONS ?? 30);
/** Longest idle gap between rotations: a little over the poll interval, so the consumer is at every backoff phase. */
const MAX_GAP_MS = 6000;

interface Sample {
  readonly changeToWrittenMs: number;
  readonly changeToReceivedMs: number;
  readonly receivedToWrittenMs: number;
}

async function main(): Promise<void> {
  const run = beginBench('queue-propagation', 'Queue mode: Key Vault change → Storage Queue → agent → Secret written');
  const keyId = 'queue-bench-1';
  const key = randomBytes(32).toString('base64');
  const queueName = deliveryQueueName(CLUSTER);
  const bench = await startBenchStack({
    vaults: [VAULT],
    namespaces: [NAMESPACE],
    pipelineFor: (stack) => ({
      functionsEnv: {
        AKVSYNC_CLUSTERS: JSON.stringify([{ name: CLUSTER, delivery: 'queue', keyId, signingKey: key, vaults: ['*'] }]),
        AKVSYNC_STORAGE: stack.azurite.connectionString,
      },
      agentEnv: {
        AKVSYNC_SIGNING_KEYS: JSON.stringify({ [keyId]: key }),
        AKVSYNC_NOTIFY_ENABLED: 'false',
        AKVSYNC_QUEUE_NAME: queueName,
        AKVSYNC_QUEUE_CONNECTION_STRING: stack.azurite.connectionString,
        AKVSYNC_QUEUE_MAX_POLL_INTERVAL: POLL_INTERVAL,
      },
    }),
  });
  try {
    const { pipeline, kubeConfig } = bench;
    const { emulator, agent } = pipeline;
    if (agent.notifyUrl !== '') throw new Error('the agent must have no notify endpoint in this benchmark');
    emulator.setSecret(VAULT, OBJECT, 'value-0');
    await createAkvs(kubeConfig, NAMESPACE, OBJECT, akvsSpec({ vault: VAULT, object: OBJECT, secretName: OBJECT }));
    await waitUntil('the first sync', async () => (emulator.requestCount({ vault: VAULT, operation: 'getSecret' }) > 0 ? true : undefined), { timeoutMs: 60_000 });
    await agent.whenIdle();

    const seen: { received?: { version: string; at: number } | undefined; written?: { version: string; at: number } | undefined } = {};
    agent.events.on('notification-verified', (e) => void (seen.received = { version: e.version, at: performance.now() }));
    agent.events.on('secret-written', (e) => void (seen.written = { version: e.version, at: performance.now() }));

    const forget = (): void => {
      seen.received = undefined;
      seen.written = undefined;
    };
    const samples: Sample[] = [];
    for (let i = 1; i <= WARMUP + ROTATIONS; i++) {
      forget();
      const started = performance.now();
      const { version } = emulator.setSecret(VAULT, OBJECT, `value-${i}`);
      await waitUntil(`rotation ${i} written`, async () => (seen.written?.version === version ? true : undefined), { timeoutMs: 60_000, intervalMs: 1 });
      await agent.whenIdle();
      const { received, written } = seen;
      if (received?.version !== version || written === undefined) throw new Error(`rotation ${i}: the agent's events do not match version ${version}`);
      if (i > WARMUP) samples.push({ changeToWrittenMs: written.at - started, changeToReceivedMs: received.at - started, receivedToWrittenMs: written.at - received.at });
      await new Promise((r) => setTimeout(r, Math.random() * MAX_GAP_MS));
    }
    const written = summarizeLatencies(samples.map((s) => s.changeToWrittenMs));
    finishBench(run, {
      method:
        `One AzureKeyVaultSecret; the agent in queue mode only (AKVSYNC_NOTIFY_ENABLED=false, AKVSYNC_QUEUE_MAX_POLL_INTERVAL=${POLL_INTERVAL}, ` +
        'visibility timeout 30 s), the Function app on the local Functions host with the cluster configured as `delivery: "queue"` and ' +
        `AKVSYNC_STORAGE on the stack's Azurite. ${WARMUP} warm-up rotations, then ${ROTATIONS} measured, one at a time, each followed by a ` +
        `random idle gap of 0–${MAX_GAP_MS / 1000} s: a new version in the Key Vault emulator, whose Event Grid event goes to the Function, ` +
        "which enqueues the signed envelope; the agent's queue consumer receives it, the intake verifies it (no timestamp window) and the " +
        "reconcile writes the Secret. Times: the change (setSecret, this process) to the agent's own events (notification-verified, " +
        'secret-written), performance.now() in the same process.',
      targets: [],
      metrics: {
        rotations: ROTATIONS,
        queuePollInterval: { max: POLL_INTERVAL, min: '100ms', backoff: 'doubles from 100 ms while the queue is empty; 0 after a poll that got messages' },
        changeToSecretWritten: written,
        changeToNotificationReceived: summarizeLatencies(samples.map((s) => s.changeToReceivedMs)),
        notificationReceivedToSecretWritten: summarizeLatencies(samples.map((s) => s.receivedToWrittenMs)),
      },
      notes: [
        'No target: design.md §5 asks for p50/p99 to be reported. The wait for the next poll dominates; a shorter AKVSYNC_QUEUE_MAX_POLL_INTERVAL trades Storage transactions for latency (BENCH_QUEUE_POLL_INTERVAL runs this benchmark with another value).',
        'Event Grid is not emulated: the emulator posts the event at once, where Azure adds its own delivery latency (typically well under a second).',
        'Azurite, the control plane, the Functions host and the agent share the same cores.',
      ],
    });
  } finally {
    await bench.stop();
  }
}

await main();
process.exit();
