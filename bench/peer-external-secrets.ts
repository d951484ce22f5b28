/**
 * Benchmark: External Secrets Operator (the real controller, v0.16.2 built from the Go module proxy) beside akvsync
 * in ONE run, on the same local control plane and the same Key Vault emulator. N Key Vault secrets, each consumed by
 * one AzureKeyVaultSecret (akvsync, namespace peer-akvsync) and by one ExternalSecret in each of two ESO
 * controllers (refreshInterval 1h, ESO's default, in peer-eso-1h; 10s in peer-eso-10s), each with its own app
 * identity, so the emulator counts each tool's Key Vault calls and token requests by client id.
 * Scope: Key Vault → Secret. ESO needs Reloader to roll workloads (not buildable here); akvsync rolls them too.
 * `BENCH_PEER_OBJECTS` (default 1000), `BENCH_PEER_ESO_CONCURRENT` (default 10), `BENCH_PEER_SAMPLE` (default 20).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { forEachLimited } from '../core/concurrency/for-each-limited.js';
import { loadAgentConfig } from '../cluster-agent/config.js';
import { akvsSpec, createAkvs, createNamespace } from '../scripts/demo/cluster-fixtures.js';
import type { KeyVaultEmulator } from '../scripts/kv-emulator/emulator.js';
import type { ManagedProcess } from '../scripts/local-stack/managed-process.js';
import { waitUntil } from '../scripts/local-stack/wait-until.js';
import { ensureExternalSecrets } from '../scripts/peer-eso/external-secrets-binary.js';
import { applyExternalSecretsCrds, createExternalSecret, createSecretStore } from '../scripts/peer-eso/external-secrets-fixtures.js';
import { ENTRA_HOST, startExternalSecrets } from '../scripts/peer-eso/external-secrets-process.js';
import { randomLoopbackAddress } from '../scripts/peer-eso/hosts-namespace.js';
import { akv2k8sModel } from './models/akv2k8s-model.js';
import { callsSince, clientCalls, perHour, type ClientCalls } from './support/client-calls.js';
import { atLeast, beginBench, finishBench } from './support/bench-result.js';
import { startBenchStack } from './support/bench-stack.js';
import { summarizeLatencies } from './support/percentiles.js';
import { SecretValueWatch } from './support/secret-value-watch.js';

const VAULT = 'kv-bench-peer';
const OBJECTS = Number(process.env.BENCH_PEER_OBJECTS ?? 1000);
const CONCURRENT = Number(process.env.BENCH_PEER_ESO_CONCURRENT ?? 10);
const SAMPLE = Math.min(Number(process.env.BENCH_PEER_SAMPLE ?? 20), OBJECTS);
const FAST = { name: '10s', seconds: 10 };
const MIN_CYCLES = 2;
const FALLBACK_CHECKS = 3;
const NS = { akvsync: 'peer-akvsync', eso1h: 'peer-eso-1h', eso10s: 'peer-eso-10s' } as const;

const log = (message: string): void => void process.stderr.write(`bench: peer-external-secrets: ${message}\n`);
const objectName = (i: number): string => `peer-${String(i).padStart(5, '0')}`;
const initialValue = (name: string): string => `initial-${name}`;
const elapsedS = (fromMs: number): number => Math.round((performance.now() - fromMs) / 100) / 10;

async function main(): Promise<void> {
  if (!Number.isInteger(OBJECTS) || OBJECTS < 1 || !Number.isInteger(CONCURRENT) || CONCURRENT < 1) throw new Error('BENCH_PEER_OBJECTS and BENCH_PEER_ESO_CONCURRENT must be positive integers');
  const run = beginBench('peer-external-secrets', `External Secrets Operator beside akvsync, ${OBJECTS} objects, one run`);
  const buildStarted = performance.now();
  const eso = await ensureExternalSecrets(log);
  log(`ESO ${eso.version}: ${eso.builtNowSeconds > 0 ? `built in ${eso.builtNowSeconds} s` : 'from the cache'} (${elapsedS(buildStarted)} s)`);

  const bench = await startBenchStack({ vaults: [VAULT], namespaces: [NS.akvsync] });
  const dir = mkdtempSync(join(tmpdir(), 'akvsync-peer-eso-'));
  const controllers: ManagedProcess[] = [];
  let watch: SecretValueWatch | undefined;
  try {
    const { pipeline, kubeConfig, stack } = bench;
    const { emulator, agent } = pipeline;
    const akvsyncId = emulator.clientId;
    const names = Array.from({ length: OBJECTS }, (_, i) => objectName(i));
    const address = randomLoopbackAddress();
    await emulator.serveAuthorityAs(ENTRA_HOST, address, 443);
    watch = await SecretValueWatch.start(kubeConfig, Object.values(NS));
    const w = watch;
    const allHold = (ns: string, timeoutMs: number, failFast?: () => Error | undefined): Promise<true> =>
      waitUntil(`${OBJECTS} Secrets in ${ns}`, async () => (w.countHolding(ns, initialValue) >= OBJECTS ? true : undefined), { timeoutMs, intervalMs: 500, failFast });

    // Seed without events (the initial sync is not what is measured), then akvsync syncs every object once.
    emulator.dropEvents(true);
    for (const name of names) emulator.setSecret(VAULT, name, initialValue(name));
    emulator.dropEvents(false);
    const phase = performance.now();
    await forEachLimited(names, 16, (name) => createAkvs(kubeConfig, NS.akvsync, name, akvsSpec({ vault: VAULT, object: name, secretName: name })));
    await allHold(NS.akvsync, 600_000);
    await agent.whenIdle();
    log(`akvsync: ${OBJECTS} Secrets synced in ${elapsedS(phase)} s`);

    // Two ESO controllers, each with its own identity and namespace.
    await applyExternalSecretsCrds(kubeConfig, eso.crdBundle);
    const start = async (ns: string, interval: string, concurrent: number) => {
      const app = emulator.registerClient();
      await createNamespace(kubeConfig, ns);
      await createSecretStore(kubeConfig, ns, { vaultUrl: emulator.vaultUrl(VAULT), tenantId: emulator.tenantId, ...app });
      const controllerDir = mkdtempSync(join(dir, `${ns}-`));
      const controller = startExternalSecrets({ binary: eso.binary, kubeconfigPath: stack.controlPlane.kubeconfigPath, namespace: ns, concurrent, caPem: stack.ca.certPem, authorityAddress: address, dir: controllerDir });
      controllers.push(controller);
      const failFast = () => (controller.exitStatus ? controller.failure('exited') : undefined);
      const before = clientCalls(emulator, app.clientId, VAULT);
      const started = performance.now();
      await forEachLimited(names, 16, (name) => createExternalSecret(kubeConfig, ns, name, { object: name, refreshInterval: interval }));
      await allHold(ns, 900_000, failFast);
      const initialSync = callsSince(before, clientCalls(emulator, app.clientId, VAULT));
      log(`ESO ${interval} (--concurrent=${concurrent}): ${OBJECTS} Secrets in ${elapsedS(started)} s; ${initialSync.vaultCalls} Key Vault calls, ${initialSync.tokenRequests} token requests`);
      return { clientId: app.clientId, failFast, initialSync, initialSyncMs: performance.now() - started };
    };

    // ESO at its 1 h default: the initial sync shows the cost of one refresh; afterwards it stays quiet for the hour.
    const eso1h = await start(NS.eso1h, '1h', 1);
    const eso1hQuietFrom = { at: performance.now(), calls: clientCalls(emulator, eso1h.clientId, VAULT) };
    const akvsyncFrom = { at: performance.now(), calls: clientCalls(emulator, akvsyncId, VAULT) };

    // akvsync: its real fallback check, the only periodic Key Vault traffic it makes.
    const checks: ClientCalls[] = [];
    for (let i = 0; i < FALLBACK_CHECKS; i++) {
      const before = clientCalls(emulator, akvsyncId, VAULT);
      await agent.runFallbackCheck();
      await agent.whenIdle();
      checks.push(callsSince(before, clientCalls(emulator, akvsyncId, VAULT)));
    }

    // ESO at 10 s: the rate over at least two full refresh cycles of every object.
    const eso10s = await start(NS.eso10s, FAST.name, CONCURRENT);
    const windowFrom = { at: performance.now(), calls: clientCalls(emulator, eso10s.clientId, VAULT) };
    const window = await waitUntil(`${MIN_CYCLES} full refresh cycles of ESO ${FAST.name}`, async () => {
      const calls = callsSince(windowFrom.calls, clientCalls(emulator, eso10s.clientId, VAULT));
      const ms = performance.now() - windowFrom.at;
      return calls.vaultCalls >= MIN_CYCLES * OBJECTS && ms >= MIN_CYCLES * FAST.seconds * 1000 ? { calls, ms } : undefined;
    }, { timeoutMs: 1_800_000, intervalMs: 250, failFast: eso10s.failFast });
    const cycles = window.calls.vaultCalls / OBJECTS;
    const cycleSeconds = window.ms / 1000 / cycles;
    log(`ESO ${FAST.name}: ${window.calls.vaultCalls} Key Vault calls, ${window.calls.tokenRequests} token requests in ${Math.round(window.ms / 1000)} s = ${cycles.toFixed(2)} cycles (${cycleSeconds.toFixed(1)} s each)`);

    // Rotations of a sample while everything runs: Key Vault change → Secret updated, for akvsync and ESO at 10 s.
    const rotation = await rotateSample(emulator, w, names, Math.max(120_000, 6 * cycleSeconds * 1000), eso10s.failFast);
    const end = performance.now();
    const akvsyncQuiet = callsSince(akvsyncFrom.calls, clientCalls(emulator, akvsyncId, VAULT));
    const eso1hQuiet = callsSince(eso1hQuietFrom.calls, clientCalls(emulator, eso1h.clientId, VAULT));
    for (const c of controllers) await c.stop();
    w.stop();

    // Per hour.
    const intervalMs = loadAgentConfig({ AKVSYNC_NOTIFY_ENABLED: 'false' }).fallback.intervalMs;
    const checksPerHour = 3_600_000 / intervalMs;
    const perCheck = { vaultCalls: mean(checks.map((c) => c.vaultCalls)), tokenRequests: mean(checks.map((c) => c.tokenRequests)) };
    const akvsyncPerHour = { vaultCalls: Math.round(perCheck.vaultCalls * checksPerHour), tokenRequests: 1 };
    const eso1hPerRefresh = { vaultCalls: eso1h.initialSync.vaultCalls / OBJECTS, tokenRequests: eso1h.initialSync.tokenRequests / OBJECTS };
    const eso1hQuietPerHour = perHour(eso1hQuiet, end - eso1hQuietFrom.at);
    const eso1hPerHour = {
      vaultCalls: Math.round(eso1hPerRefresh.vaultCalls * OBJECTS + eso1hQuietPerHour.vaultCalls),
      tokenRequests: Math.round(eso1hPerRefresh.tokenRequests * OBJECTS + eso1hQuietPerHour.tokenRequests),
    };
    const eso10sPerHour = perHour(window.calls, window.ms);
    const ratio = (a: number, b: number): number => Math.round((a / Math.max(b, 1e-9)) * 10) / 10;
    const akvsyncLatency = summarizeLatencies(rotation.akvsync);
    const eso10sLatency = summarizeLatencies(rotation.eso10s);
    const headline = {
      kvCallsPerHourEso1hOverAkvsync: ratio(eso1hPerHour.vaultCalls, akvsyncPerHour.vaultCalls),
      kvCallsPerHourEso10sOverAkvsync: ratio(eso10sPerHour.vaultCalls, akvsyncPerHour.vaultCalls),
      tokenRequestsPerHourEso1hOverAkvsync: ratio(eso1hPerHour.tokenRequests, akvsyncPerHour.tokenRequests),
      tokenRequestsPerHourEso10sOverAkvsync: ratio(eso10sPerHour.tokenRequests, akvsyncPerHour.tokenRequests),
      rotationP50Eso10sOverAkvsync: ratio(eso10sLatency.p50Ms, akvsyncLatency.p50Ms),
      rotationP99Eso10sOverAkvsync: ratio(eso10sLatency.p99Ms, akvsyncLatency.p99Ms),
      rotationP50Eso1hExpectedOverAkvsync: ratio(1_800_000, akvsyncLatency.p50Ms),
    };
    log(`headline akvsync:ESO — Key Vault calls/h ${headline.kvCallsPerHourEso1hOverAkvsync}x fewer than ESO 1h, ${headline.kvCallsPerHourEso10sOverAkvsync}x fewer than ESO 10s; rotation p50 ${headline.rotationP50Eso10sOverAkvsync}x faster than ESO 10s`);

    finishBench(run, {
      method:
        `One run, one local control plane, one Key Vault emulator. ${OBJECTS} secrets in one emulated vault; each consumed by one ` +
        `AzureKeyVaultSecret (akvsync, namespace ${NS.akvsync}) and by one ExternalSecret in each of two real External Secrets ` +
        `Operator ${eso.version} controllers (--namespace ${NS.eso1h} with refreshInterval 1h, ESO's default, --concurrent=1, ESO's default; ` +
        `--namespace ${NS.eso10s} with refreshInterval ${FAST.name}, --concurrent=${CONCURRENT}). Each tool has its own Entra app; ` +
        'the emulator counts every authenticated Key Vault request and every token request per client id (measured, not modelled). ' +
        `ESO's Azure provider (ServicePrincipal) asks Entra ID's v1 token endpoint at login.microsoftonline.com, which the emulator ` +
        `serves on ${address}:443 only inside each ESO process's own mount namespace (hosts file bind-mounted; local CA via SSL_CERT_FILE). ` +
        `akvsync per hour: its real fallback check run ${FALLBACK_CHECKS} times (calls per check) × checks per hour at its default ` +
        `interval (${intervalMs / 60_000} min); token requests: one per 1 h token lifetime (its credential caches the token; counted in the ` +
        `window: see quietWindow). ESO ${FAST.name} per hour: calls counted over a window of at least ${MIN_CYCLES} full refresh cycles ` +
        `(Key Vault reads ≥ ${MIN_CYCLES} × objects) × 3600 / window. ESO 1h per hour: one refresh per object per hour (its refreshInterval; ` +
        'a whole cycle takes an hour, so it is not waited for) × the calls one refresh cost, measured on its initial sync of every object, ' +
        'plus the calls it made in the quiet window after that, scaled to an hour. Rotation: a sample of objects gets a new version ' +
        '(with its Event Grid event) at staggered moments while both ESO controllers run; time from the change to a Kubernetes watch ' +
        `seeing the new value in the akvsync Secret and in the ESO ${FAST.name} Secret. ESO 1h rotation: the expected wait from its ` +
        'refresh interval (a change lands at a uniformly random point of the hour), not measured.',
      targets: [
        atLeast('fewer Key Vault calls/h than ESO (1 h default), measured per client', headline.kvCallsPerHourEso1hOverAkvsync, 10, 'x'),
        atLeast('faster p50 Key Vault change → Secret than ESO at 10 s, measured', headline.rotationP50Eso10sOverAkvsync, 50, 'x'),
      ],
      metrics: {
        objects: OBJECTS,
        externalSecretsOperator: { version: eso.version, builtThisRunSeconds: eso.builtNowSeconds, cachedBuildSeconds: eso.cachedBuildSeconds, concurrentAt10s: CONCURRENT, concurrentAt1h: 1 },
        headline,
        perHour: { akvsync: akvsyncPerHour, eso1h: eso1hPerHour, eso10s: eso10sPerHour },
        akvsync: { fallbackIntervalMinutes: intervalMs / 60_000, checksPerHour, checks, perCheck, quietWindow: { seconds: Math.round((end - akvsyncFrom.at) / 1000), ...akvsyncQuiet, includes: `the ${FALLBACK_CHECKS} checks above and one read per rotated object` } },
        eso1h: { initialSync: { ...eso1h.initialSync, seconds: Math.round(eso1h.initialSyncMs / 1000) }, perRefresh: eso1hPerRefresh, quietWindow: { seconds: Math.round((end - eso1hQuietFrom.at) / 1000), ...eso1hQuiet } },
        eso10s: { initialSync: { ...eso10s.initialSync, seconds: Math.round(eso10s.initialSyncMs / 1000) }, window: { seconds: Math.round(window.ms / 1000), ...window.calls, cycles: Math.round(cycles * 100) / 100, secondsPerCycle: Math.round(cycleSeconds * 10) / 10 } },
        rotation: {
          sample: rotation.akvsync.length,
          akvsync: akvsyncLatency,
          eso10s: eso10sLatency,
          eso1hExpected: { basis: 'refreshInterval 1h, change at a uniformly random point of the interval: expected, not measured', p50Ms: 1_800_000, p99Ms: 3_564_000 },
        },
        akv2k8sModel: { basis: `model, not run (no buildable source): ${akv2k8sModel.howBuilt}`, kvCallsPerHour: OBJECTS * (3600 / akv2k8sModel.periodSeconds) },
      },
      notes: [
        'Covers Key Vault → Secret. ESO needs Reloader to roll workloads, and Reloader is not served by the Go module proxy, so no restart is measured for ESO; akvsync also rolls opted-in workloads within the same path (see notification-latency), which this figure does not include.',
        `ESO ${FAST.name}: one worker cannot refresh ${OBJECTS} objects every 10 s; --concurrent=${CONCURRENT} was used and the achieved cycle is reported (secondsPerCycle).`,
        'ESO asks for a new token on every reconcile (a new provider client each time); akvsync reuses one token for its lifetime.',
        'The emulator answers in well under a millisecond on loopback: real Key Vault latency, Entra ID token caching at scale and throttling are not reproduced (docs/benchmarks.md).',
        'All processes (apiserver, etcd, controller-manager, Functions host, agent, both ESO controllers, emulator) share the same cores.',
      ],
    });
  } finally {
    watch?.stop();
    for (const c of controllers) await c.stop();
    await bench.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** New versions for a spread-out sample, a little apart; time until each tool's Secret holds the new value. */
async function rotateSample(emulator: KeyVaultEmulator, watch: SecretValueWatch, names: readonly string[], esoTimeoutMs: number, failFast: () => Error | undefined) {
  const sample = Array.from({ length: SAMPLE }, (_, i) => names[Math.floor((i * names.length) / SAMPLE)] as string);
  const akvsync: number[] = [];
  const eso10s: number[] = [];
  await Promise.all(
    sample.map(async (name, i) => {
      await delay(i * 700);
      const value = `rotated-${name}-${i}`;
      const started = performance.now();
      emulator.setSecret(VAULT, name, value);
      const [a, e] = await Promise.all([watch.whenHolds(NS.akvsync, name, value, 60_000), watch.whenHolds(NS.eso10s, name, value, esoTimeoutMs, failFast)]);
      akvsync.push(a - started);
      eso10s.push(e - started);
    }),
  );
  return { akvsync, eso10s };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
}

await main();
process.exit();
