/**
 * Benchmark (a): notification received → Secret written → workload patched, one object, on the local stack, over
 * many rotations. Each rotation goes the whole way (emulator event → Function on the local Functions host → signed
 * HTTPS push → agent); the clock starts when the agent has verified the notification and stops when the agent has
 * patched the opted-in Deployment's pod template (its own events, timed with this process's performance.now()).
 */
import { akvsSpec, createAkvs, createDeployment, reloadingDeployment, replicaSetsOf } from '../scripts/demo/cluster-fixtures.js';
import { waitUntil } from '../scripts/local-stack/wait-until.js';
import { atMost, beginBench, finishBench } from './support/bench-result.js';
import { startBenchStack } from './support/bench-stack.js';
import { DirectFloor, ratioToFloor } from './support/direct-floor.js';
import { loadAverage } from './support/machine-info.js';
import { summarizeLatencies } from './support/percentiles.js';

const VAULT = 'kv-bench-latency';
const OBJECT = 'db-password';
const NAMESPACE = 'bench-latency';
const DEPLOYMENT = 'web';
/** The floor's own Secret and Deployment (never the agent's). */
const FLOOR_SECRET = 'floor-secret';
const FLOOR_DEPLOYMENT = 'floor-web';
const WARMUP = 5;
const ROTATIONS = 60;

interface FloorSample {
  readonly readMs: number;
  readonly applyMs: number;
  readonly patchMs: number;
  readonly totalMs: number;
}

/** The same Key Vault read, Secret apply and Deployment patch, issued one after the other with no agent logic. */
async function floorSample(floor: DirectFloor, i: number): Promise<FloorSample> {
  const t0 = performance.now();
  const read = await floor.readSecret(VAULT, OBJECT);
  const t1 = performance.now();
  await floor.applySecret(NAMESPACE, FLOOR_SECRET, 'value', read.value, read.version);
  const t2 = performance.now();
  await floor.patchDeployment(NAMESPACE, FLOOR_DEPLOYMENT, `floor-${i}`);
  const t3 = performance.now();
  return { readMs: t1 - t0, applyMs: t2 - t1, patchMs: t3 - t2, totalMs: t3 - t0 };
}

interface Sample {
  readonly rotationToPatchedMs: number;
  readonly receivedToWrittenMs: number;
  readonly writtenToPatchedMs: number;
  readonly receivedToPatchedMs: number;
}

async function main(): Promise<void> {
  const run = beginBench('notification-latency', 'Notification received → Secret written → workload patched (one object)');
  const bench = await startBenchStack({ vaults: [VAULT], namespaces: [NAMESPACE] });
  try {
    const { pipeline, kubeConfig } = bench;
    const { emulator, agent } = pipeline;
    const first = emulator.setSecret(VAULT, OBJECT, 'value-0');
    await createAkvs(kubeConfig, NAMESPACE, OBJECT, akvsSpec({ vault: VAULT, object: OBJECT, secretName: OBJECT }));
    await createDeployment(kubeConfig, reloadingDeployment({ namespace: NAMESPACE, name: DEPLOYMENT, secretName: OBJECT }));
    await waitUntil('the first sync', async () => (emulator.requestCount({ vault: VAULT, operation: 'getSecret' }) > 0 && (await replicaSetsOf(kubeConfig, NAMESPACE, DEPLOYMENT)).length > 0 ? true : undefined), { timeoutMs: 60_000 });
    await agent.whenIdle();
    const floor = new DirectFloor(kubeConfig, emulator);
    await createDeployment(kubeConfig, reloadingDeployment({ namespace: NAMESPACE, name: FLOOR_DEPLOYMENT, secretName: FLOOR_SECRET }));
    const floorSamples: FloorSample[] = [];

    /** What the agent reported for the rotation in flight. */
    const seen: { received?: { version: string; at: number } | undefined; written?: { version: string; at: number } | undefined; patched?: number | undefined } = {};
    const forget = (): void => {
      seen.received = undefined;
      seen.written = undefined;
      seen.patched = undefined;
    };
    agent.events.on('notification-verified', (e) => void (seen.received = { version: e.version, at: performance.now() }));
    agent.events.on('secret-written', (e) => void (seen.written = { version: e.version, at: performance.now() }));
    agent.events.on('workload-restarted', (e) => {
      if (e.name === DEPLOYMENT && seen.written !== undefined) seen.patched = performance.now();
    });

    const samples: Sample[] = [];
    for (let i = 1; i <= WARMUP + ROTATIONS; i++) {
      forget();
      const started = performance.now();
      const { version } = emulator.setSecret(VAULT, OBJECT, `value-${i}`);
      await waitUntil(`rotation ${i} patched`, async () => (seen.patched !== undefined && seen.written?.version === version ? true : undefined), { timeoutMs: 30_000, intervalMs: 1 });
      await agent.whenIdle();
      const { received, written, patched } = seen;
      if (received?.version !== version || written === undefined || patched === undefined) throw new Error(`rotation ${i}: the agent's events do not match version ${version}`);
      if (i > WARMUP) {
        samples.push({
          rotationToPatchedMs: patched - started,
          receivedToWrittenMs: written.at - received.at,
          writtenToPatchedMs: patched - written.at,
          receivedToPatchedMs: patched - received.at,
        });
      }
      // The floor, interleaved with the rotations so both see the same machine.
      const f = await floorSample(floor, i);
      if (i > WARMUP) floorSamples.push(f);
    }
    await floor.close();
    const floorSummary = summarizeLatencies(floorSamples.map((f) => f.totalMs));
    const patchedSummary = summarizeLatencies(samples.map((s) => s.receivedToPatchedMs));
    const replicaSets = (await replicaSetsOf(kubeConfig, NAMESPACE, DEPLOYMENT)).length;
    finishBench(run, {
      method:
        `One AzureKeyVaultSecret and one Deployment with akvsync.io/reload: "true" on the local control plane. ${WARMUP} warm-up ` +
        `rotations, then ${ROTATIONS} measured, one at a time: a new version in the Key Vault emulator, whose Event Grid event ` +
        'goes to the Function app on the local Functions host, which pushes a signed notification over HTTPS to the agent. ' +
        "Times come from the agent's own events (notification-verified, secret-written, workload-restarted) taken with " +
        'performance.now() in the same process: received = signature verified and object queued; written = Secret applied; ' +
        'patched = pod-template annotation patch answered by the apiserver. The floor, measured after each rotation in the same ' +
        "run: the same Key Vault read (the agent's KeyVaultObjectStore), server-side apply of a Secret of the same shape and " +
        "pod-template merge patch of a Deployment of its own, one after the other through the agent's pooled apiserver " +
        'clients, with no agent logic; the ratio is agent p50 / floor p50.',
      targets: [
        atMost('p50 notification received → workload patched', patchedSummary.p50Ms, 50, 'ms'),
        atMost('p99 notification received → workload patched', patchedSummary.p99Ms, 250, 'ms'),
        atMost('p50 notification received → workload patched, ratio to the floor', ratioToFloor(patchedSummary.p50Ms, floorSummary.p50Ms), 1.5, 'x'),
      ],
      metrics: {
        rotations: ROTATIONS,
        receivedToPatched: patchedSummary,
        receivedToSecretWritten: summarizeLatencies(samples.map((s) => s.receivedToWrittenMs)),
        secretWrittenToPatched: summarizeLatencies(samples.map((s) => s.writtenToPatchedMs)),
        newVersionToPatched: summarizeLatencies(samples.map((s) => s.rotationToPatchedMs)),
        floor: {
          readSecretApplyPatch: floorSummary,
          read: summarizeLatencies(floorSamples.map((f) => f.readMs)),
          apply: summarizeLatencies(floorSamples.map((f) => f.applyMs)),
          patch: summarizeLatencies(floorSamples.map((f) => f.patchMs)),
        },
        ratioToFloorP50: ratioToFloor(patchedSummary.p50Ms, floorSummary.p50Ms),
        ratioToFloorP99: ratioToFloor(patchedSummary.p99Ms, floorSummary.p99Ms),
        loadAverageAtEnd: loadAverage(),
        replicaSetsCreated: replicaSets,
        firstVersion: first.version,
      },
      notes: [
        'newVersionToPatched adds the Event Grid delivery and the Function (local Functions host, one worker process) in front.',
        'secretWrittenToPatched covers what the agent does between applying the Secret and answering the restart patch (status, Event, listing workloads, the patch).',
        'The apiserver, etcd, controller-manager, the Functions host and the agent share the same cores.',
      ],
    });
  } finally {
    await bench.stop();
  }
}

await main();
process.exit();
