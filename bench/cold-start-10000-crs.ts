/**
 * Benchmark: the agent's cold start with 10,000 AzureKeyVaultSecrets over 1,000 Key Vault secrets (10 CRs per object,
 * spread over 100 namespaces), every CR writing its own Secret. The agent runs as it ships (the bundle the image runs)
 * in a child process, so its resident set is its own. Measured: start → every Secret written, → every CR
 * Ready; Key Vault reads (the emulator's getSecret count); the agent's peak RSS (VmHWM) while it manages 10,000
 * Secrets. Then the agent is restarted over the same, already-current cluster and vault, and the same is counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { KubeApiClients } from '../cluster-agent/adapters/kube-api-clients.js';
import { forEachLimited } from '../core/concurrency/for-each-limited.js';
import { AKVSYNC_GROUP, AKVS_API_VERSION, AKVS_KIND, AKVS_PLURAL, AKVS_VERSION } from '../core/crd/azure-key-vault-secret.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/crd/annotations.js';
import { akvsSpec, applyAkvsCrd, createNamespace } from '../scripts/demo/cluster-fixtures.js';
import { startKeyVaultEmulator } from '../scripts/kv-emulator/emulator.js';
import { startLocalStack, type LocalStack } from '../scripts/local-stack/stack.js';
import { waitUntil } from '../scripts/local-stack/wait-until.js';
import { bundleAgent, startAgentProcess, type AgentProcess } from './support/agent-process.js';
import { stopOnSignal } from './support/stop-on-signal.js';
import { atMost, beginBench, finishBench } from './support/bench-result.js';
import { loadAverage } from './support/machine-info.js';

const VAULT = 'kv-bench-cold';
const NAMESPACES = Number(process.env.BENCH_COLD_NAMESPACES ?? 100);
const OBJECTS = Number(process.env.BENCH_COLD_OBJECTS ?? 1000);
const CRS_PER_OBJECT = 10;
const CRS = OBJECTS * CRS_PER_OBJECT;
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

interface StartRun {
  readonly allSecretsMs: number | undefined;
  readonly allReadyMs: number;
  readonly keyVaultReads: number;
  readonly keyVaultListPages: number;
  readonly outputWrites: number;
  readonly peakRssMiB: number;
  readonly settledRssMiB: number;
}

async function main(): Promise<void> {
  const run = beginBench('cold-start-10000-crs', `Agent cold start: ${CRS.toLocaleString('en')} CRs over ${OBJECTS.toLocaleString('en')} Key Vault objects`);
  const work = mkdtempSync(join(tmpdir(), 'akvsync-bench-cold-'));
  let stack: LocalStack | undefined;
  let agent: AgentProcess | undefined;
  stopOnSignal(async () => {
    await agent?.stop();
    await stack?.stop();
  });
  try {
    const bundle = await bundleAgent(work);
    stack = await startLocalStack();
    const kubeConfig = stack.controlPlane.kubeConfig;
    await applyAkvsCrd(kubeConfig);
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `cold-${String(i).padStart(3, '0')}`);
    await forEachLimited(namespaces, 16, (ns) => createNamespace(kubeConfig, ns));
    const emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: [VAULT] });
    const objectName = (o: number): string => `obj-${String(o).padStart(4, '0')}`;
    for (let o = 0; o < OBJECTS; o++) emulator.setSecret(VAULT, objectName(o), `value-${o}`);

    // CR i reads object floor(i / 10) and lives in namespace i % 100: one object's CRs in ten namespaces.
    const clients = new KubeApiClients(kubeConfig);
    const custom = clients.make(CustomObjectsApi);
    const created = performance.now();
    await forEachLimited(Array.from({ length: CRS }, (_, i) => i), 32, async (i) => {
      const namespace = namespaces[i % NAMESPACES] as string;
      const name = `cr-${String(i).padStart(5, '0')}`;
      await custom.createNamespacedCustomObject({
        group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: AKVS_PLURAL, namespace,
        body: { apiVersion: AKVS_API_VERSION, kind: AKVS_KIND, metadata: { name, namespace }, spec: akvsSpec({ vault: VAULT, object: objectName(Math.floor(i / CRS_PER_OBJECT)), secretName: name }) },
      });
    });
    log(`${CRS} CRs created in ${Math.round(performance.now() - created)} ms`);

    const core = clients.make(CoreV1Api);
    const countManagedSecrets = async (): Promise<number> => {
      let count = 0;
      let _continue: string | undefined;
      do {
        const page = await core.listSecretForAllNamespaces({ labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`, limit: 2000, _continue });
        count += page.items.length;
        _continue = page.metadata?._continue || undefined;
      } while (_continue);
      return count;
    };

    const readyCount = async (): Promise<number> => {
      let ready = 0;
      let _continue: string | undefined;
      do {
        const page = (await custom.listClusterCustomObject({ group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: AKVS_PLURAL, limit: 2000, _continue })) as {
          items: { status?: { conditions?: { type: string; status: string }[] } }[]; metadata?: { _continue?: string };
        };
        ready += page.items.filter((cr) => cr.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
        _continue = page.metadata?._continue || undefined;
      } while (_continue);
      return ready;
    };

    const measureStart = async (label: string, expectSecrets: boolean): Promise<StartRun> => {
      emulator.resetCounters();
      const started = performance.now();
      agent = await startAgentProcess({ bundle, kubeconfigPath: stack!.controlPlane.kubeconfigPath, caFile: stack!.caFile, emulator, vaults: [VAULT], namespace: 'default' });
      let allSecretsMs: number | undefined;
      if (expectSecrets) {
        // The agent's own count of outputs it wrote (each CR's Secret is new here); checked against the cluster below.
        await waitUntil(`${label}: ${CRS} Secrets`, async () => ((await agent!.metric('akvsync_output_writes_total')) >= CRS ? true : undefined), { timeoutMs: 1_800_000, intervalMs: 100 });
        allSecretsMs = performance.now() - started;
        log(`${label}: all ${CRS} Secrets after ${Math.round(allSecretsMs)} ms (RSS ${agent.rssMiB().toFixed(0)} MiB)`);
      }
      // Idle: the queue empty and no Key Vault read or output write for 3 s in a row (a restart finds every CR Ready already).
      let last = '';
      let quietSince = performance.now();
      await waitUntil(`${label}: every CR Ready and the agent idle`, async () => {
        const now = [await agent!.metric('akvsync_queue_depth'), await agent!.metric('akvsync_keyvault_requests_total'), await agent!.metric('akvsync_output_writes_total')].join('/');
        if (now !== last || !now.startsWith('0/')) {
          last = now;
          quietSince = performance.now();
          return undefined;
        }
        return performance.now() - quietSince >= 3000 && (await readyCount()) === CRS ? true : undefined;
      }, { timeoutMs: 1_800_000, intervalMs: 500 });
      const allReadyMs = quietSince - started;
      const result: StartRun = {
        allSecretsMs: allSecretsMs === undefined ? undefined : Math.round(allSecretsMs),
        allReadyMs: Math.round(allReadyMs),
        keyVaultReads: emulator.requestCount({ vault: VAULT, operation: 'getSecret' }),
        keyVaultListPages: emulator.requestCount({ vault: VAULT, operation: 'listSecrets' }),
        outputWrites: await agent.metric('akvsync_output_writes_total'),
        peakRssMiB: Math.round(agent.peakRssMiB()),
        settledRssMiB: Math.round(agent.rssMiB()),
      };
      log(`${label}: ${JSON.stringify(result)}`);
      await agent.stop();
      agent = undefined;
      return result;
    };

    const cold = await measureStart('cold start', true);
    const managedSecrets = await countManagedSecrets();
    if (managedSecrets !== CRS) throw new Error(`${managedSecrets} managed Secrets in the cluster after the cold start, not ${CRS}`);
    const restart = await measureStart('restart, every status current', false);
    await clients.close();
    await emulator.close();

    finishBench(run, {
      method:
        `${CRS} AzureKeyVaultSecrets over ${OBJECTS} secrets of one vault in the Key Vault emulator (${CRS_PER_OBJECT} CRs per object, ` +
        `in ${NAMESPACES} namespaces; each CR writes its own Secret), created before the agent starts. The agent is the esbuild bundle ` +
        'of cluster-agent/main.ts (what the image runs) in its own Node process, watching every namespace, notify endpoint off, ' +
        'admin kubeconfig. Timed from spawning the process: until the agent has written every Secret (its akvsync_output_writes_total, ' +
        'polled every 100 ms; a list of the cluster\'s managed Secrets then confirms all are there), and until a ' +
        'list of the CRs shows every one Ready=True and the agent is idle (work queue empty, no Key Vault read or output write for 3 s; ' +
        'the time is taken at the start of that quiet spell). Key Vault reads: the emulator\'s getSecret count ' +
        'from the spawn. Peak RSS: /proc/<pid>/status VmHWM of the agent process (the kernel\'s high-water mark) after every CR ' +
        'is Ready and 3 s of quiet; settled RSS: VmRSS then. The second run restarts the agent over the same cluster, every ' +
        'Secret and status already current.',
      targets: [
        atMost(`Key Vault reads, cold start with ${CRS} CRs over ${OBJECTS} objects`, cold.keyVaultReads, OBJECTS, 'reads'),
        atMost(`peak agent RSS with ${CRS} managed Secrets`, cold.peakRssMiB, 200, 'MiB'),
      ],
      metrics: {
        crs: CRS,
        objects: OBJECTS,
        namespaces: NAMESPACES,
        coldStart: cold,
        restartWithStatusCurrent: restart,
        loadAverageAtEnd: loadAverage(),
      },
      notes: [
        'The apiserver, etcd, controller-manager, the emulator, this process and the agent share the same cores.',
        'Output writes count Secrets whose data the agent changed (akvsync_output_writes_total); a restart over current Secrets writes none.',
      ],
    });
  } finally {
    await agent?.stop();
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit();
