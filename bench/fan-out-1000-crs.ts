/**
 * Benchmark (c): one Key Vault change referenced by 1,000 AzureKeyVaultSecrets in 100 namespaces. Measures the time
 * from the new version to the moment every one of the 1,000 Secrets holds it (seen by a Kubernetes watch on Secrets),
 * through the whole event path, and the Key Vault reads the agent made for that version (counted by the emulator).
 */
import { Watch, type V1Secret } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/crd/annotations.js';
import { syncedVersionAnnotation } from '../core/crd/output-metadata.js';
import { akvsSpec, createAkvs } from '../scripts/demo/cluster-fixtures.js';
import { waitUntil } from '../scripts/local-stack/wait-until.js';
import { atMost, beginBench, exactly, finishBench } from './support/bench-result.js';
import { forEachLimited } from '../core/concurrency/for-each-limited.js';
import { startBenchStack } from './support/bench-stack.js';
import { DirectFloor, ratioToFloor } from './support/direct-floor.js';
import { loadAverage } from './support/machine-info.js';
import { FAN_OUT_CONCURRENCY } from '../cluster-agent/controller/reconcile.js';

const VAULT = 'kv-bench-fanout';
const OBJECT = 'shared-api-key';
const NAMESPACES = 100;
const CRS = 1000;

async function main(): Promise<void> {
  const run = beginBench('fan-out-1000-crs', 'One Key Vault change referenced by 1,000 CRs in 100 namespaces');
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `fan-${String(i).padStart(3, '0')}`);
  const bench = await startBenchStack({ vaults: [VAULT], namespaces, watchAllNamespaces: true });
  try {
    const { pipeline, kubeConfig } = bench;
    const { emulator, agent } = pipeline;

    // Every Secret the agent manages, by namespace/name → the version it was last seen at (from a watch).
    const versions = new Map<string, string>();
    const secretSeenAt = new Map<string, number>();
    let target: string | undefined;
    const watch = new Watch(kubeConfig);
    let watching = true;
    const abort = await watch.watch(
      '/api/v1/secrets',
      { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` },
      (phase: string, secret: V1Secret) => {
        if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
        const key = `${secret.metadata?.namespace}/${secret.metadata?.name}`;
        // Each Secret is written by the AzureKeyVaultSecret of the same name.
        const version = secret.metadata?.annotations?.[syncedVersionAnnotation(secret.metadata?.name ?? '')] ?? '';
        if (versions.get(key) === version) return;
        versions.set(key, version);
        if (target !== undefined && version === target && !secretSeenAt.has(key)) secretSeenAt.set(key, performance.now());
      },
      (error: unknown) => {
        if (watching && error) process.stderr.write(`bench: Secret watch ended: ${(error as Error).message ?? String(error)}\n`);
      },
    );

    const initial = emulator.setSecret(VAULT, OBJECT, 'initial-value');
    const setupStarted = performance.now();
    await forEachLimited(Array.from({ length: CRS }, (_, i) => i), 16, (i) => {
      const ns = namespaces[i % NAMESPACES] as string;
      const name = `api-key-${String(i).padStart(4, '0')}`;
      return createAkvs(kubeConfig, ns, name, akvsSpec({ vault: VAULT, object: OBJECT, secretName: name }));
    });
    await waitUntil(`${CRS} Secrets at the first version`, async () => ([...versions.values()].filter((v) => v === initial.version).length === CRS ? true : undefined), { timeoutMs: 240_000, intervalMs: 100 });
    await agent.whenIdle();
    const initialSyncMs = performance.now() - setupStarted;

    // The floor's own 1,000 Secrets (never the agent's), at the first value, so its applies are updates as the agent's are.
    const floor = new DirectFloor(kubeConfig, emulator);
    const floorName = (i: number): string => `floor-${String(i).padStart(4, '0')}`;
    const floorApplies = (value: string, version: string): Promise<void> =>
      forEachLimited(Array.from({ length: CRS }, (_, i) => i), FAN_OUT_CONCURRENCY, (i) => floor.applySecret(namespaces[i % NAMESPACES] as string, floorName(i), 'value', value, version));
    await floorApplies('initial-value', initial.version);

    let receivedAt: number | undefined;
    agent.events.on('notification-verified', () => void (receivedAt ??= performance.now()));
    emulator.resetCounters();
    target = undefined;
    const started = performance.now();
    const rotated = emulator.setSecret(VAULT, OBJECT, 'rotated-value');
    target = rotated.version;
    // The watch may have seen some Secrets at the new version before `target` was set: count them too.
    for (const [key, version] of versions) {
      if (version === target && !secretSeenAt.has(key)) secretSeenAt.set(key, performance.now());
    }
    await waitUntil(`${CRS} Secrets at the rotated version`, async () => (secretSeenAt.size >= CRS ? true : undefined), { timeoutMs: 120_000, intervalMs: 5 });
    const allUpdatedMs = Math.max(...secretSeenAt.values()) - started;
    const firstUpdatedMs = Math.min(...secretSeenAt.values()) - started;
    await agent.whenIdle();
    await emulator.waitForDeliveries();
    const reads = emulator.requestCount({ vault: VAULT, operation: 'getSecret' });
    const receivedToAllUpdatedMs = Math.max(...secretSeenAt.values()) - (receivedAt ?? started);

    // The floor: the same Key Vault read, then 1,000 server-side applies at the agent's fan-out concurrency, directly.
    const floorStarted = performance.now();
    const read = await floor.readSecret(VAULT, OBJECT);
    await floorApplies(read.value, read.version);
    const floorMs = performance.now() - floorStarted;
    await floor.close();
    watching = false;
    abort.abort();

    finishBench(run, {
      method:
        `${CRS} AzureKeyVaultSecrets in ${NAMESPACES} namespaces, each writing its own Secret from the same Key Vault secret; the ` +
        'agent watches all namespaces. After all are synced, one new version is created in the Key Vault emulator; its Event Grid ' +
        'event goes to the Function app on the local Functions host, which pushes a signed notification to the agent. The time ' +
        'runs from the new version to the moment a watch on managed Secrets has seen every one of them carry the new version ' +
        "(synced-version.akvsync.io/<CR name>). Key Vault reads: the emulator's getSecret count for the vault from the rotation until the " +
        'agent is idle. The floor, in the same run after the agent\'s fan-out: one Key Vault read (the agent\'s KeyVaultObjectStore) ' +
        `then ${CRS} server-side applies of Secrets of the same shape (the floor's own, one per CR, in the same namespaces) at the ` +
        `agent's fan-out concurrency (${FAN_OUT_CONCURRENCY}) through its pooled apiserver clients, timed until the last apply is ` +
        'answered; the ratio compares it with the agent from notification received (signature verified) to the last Secret seen ' +
        'updated by the watch.',
      targets: [
        atMost('all 1,000 Secrets updated after the change', Math.round(allUpdatedMs), 5000, 'ms'),
        exactly('Key Vault reads for the new version', reads, 1, 'reads'),
        atMost('notification received → all 1,000 Secrets updated, ratio to the floor', ratioToFloor(receivedToAllUpdatedMs, floorMs), 1.3, 'x'),
      ],
      metrics: {
        crs: CRS,
        namespaces: NAMESPACES,
        allUpdatedMs: Math.round(allUpdatedMs),
        firstUpdatedMs: Math.round(firstUpdatedMs),
        receivedToAllUpdatedMs: Math.round(receivedToAllUpdatedMs),
        floorMs: Math.round(floorMs),
        ratioToFloor: ratioToFloor(receivedToAllUpdatedMs, floorMs),
        fanOutConcurrency: FAN_OUT_CONCURRENCY,
        loadAverageAtEnd: loadAverage(),
        keyVaultReads: reads,
        keyVaultCounters: emulator.counters(),
        initialSyncOf1000Ms: Math.round(initialSyncMs),
      },
      notes: ['The apiserver, etcd, controller-manager, the Functions host and the agent share the same cores.'],
    });
  } finally {
    await bench.stop();
  }
}

await main();
process.exit();
