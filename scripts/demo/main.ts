/**
 * `npm run demo [-- --rotations N] [-- --keep-running]`: the whole event path on this machine, with no Azure account
 * and no cluster. Starts the local stack (kube-apiserver + etcd + kube-controller-manager, Azurite), the Key Vault
 * emulator, the real Function app on the local Functions host and the agent (push delivery, signing key generated
 * now); applies the CRD; creates a namespace, an AzureKeyVaultSecret and a Deployment that uses its Secret and opts
 * in to restarts; waits until it is synced; then rotates the secret through the real Key Vault SDK and prints a
 * timeline per rotation. Values are never printed (versions and hashes only). Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { AKVS_PLURAL, AKVS_VERSION, AKVSYNC_GROUP, type AkvsStatus } from '../../core/crd/azure-key-vault-secret.js';
import { DATA_HASH_ANNOTATION } from '../../core/crd/annotations.js';
import { syncedVersionAnnotation } from '../../core/crd/output-metadata.js';
import { startLocalStack, type LocalStack } from '../local-stack/stack.js';
import { waitUntil } from '../local-stack/wait-until.js';
import { akvsSpec, applyAkvsCrd, createAkvs, createDeployment, createNamespace, reloadingDeployment, replicaSetsOf } from './cluster-fixtures.js';
import { startLocalPipeline, type LocalPipeline } from './local-pipeline.js';
import { recordMilestones, type MilestoneRecorder } from './milestones.js';
import { formatTimeline, rotateAndTrace, type RotationResult } from './rotation-timeline.js';

const VAULT = 'akvsync-demo';
const OBJECT = 'db-password';
const NAMESPACE = 'akvsync-demo';
const AKVS_NAME = 'db-password';
const SECRET_NAME = 'db-password';
const DEPLOYMENT = 'web';

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const note = (line: string): void => void process.stderr.write(`demo: ${line}\n`);
const newValue = (): string => randomBytes(24).toString('base64url');

interface DemoOptions {
  readonly rotations: number;
  readonly keepRunning: boolean;
}

function parseOptions(argv: string[]): DemoOptions {
  const { values } = parseArgs({ args: argv, options: { rotations: { type: 'string' }, 'keep-running': { type: 'boolean' } }, strict: true });
  const rotations = values.rotations === undefined ? 3 : Number(values.rotations);
  if (!Number.isInteger(rotations) || rotations < 1 || rotations > 1000) throw new Error('--rotations must be a whole number from 1 to 1000');
  return { rotations, keepRunning: values['keep-running'] ?? false };
}

class Demo {
  stack: LocalStack | undefined;
  pipeline: LocalPipeline | undefined;
  recorder: MilestoneRecorder | undefined;
  private stopping: Promise<void> | undefined;

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.recorder?.stop();
      await this.pipeline?.stop();
      await this.stack?.stop();
    })();
    return this.stopping;
  }
}

async function run(options: DemoOptions, demo: Demo, cancelled: () => boolean): Promise<void> {
  const began = performance.now();
  note('starting the local stack (kube-apiserver, etcd, kube-controller-manager, Azurite)…');
  demo.stack = await startLocalStack({ log: note });
  if (cancelled()) return;
  const kubeConfig = demo.stack.controlPlane.kubeConfig;
  await applyAkvsCrd(kubeConfig);
  await createNamespace(kubeConfig, NAMESPACE);
  note('starting the Key Vault emulator, the Function app on the local Functions host, and the agent…');
  demo.pipeline = await startLocalPipeline({
    ca: demo.stack.ca,
    kubeConfig,
    vaults: [VAULT],
    watchNamespaces: [NAMESPACE],
    record: true,
    agentLogLevel: 'error',
    onAgentLog: (line) => void process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
  });
  if (cancelled()) return;
  const pipeline = demo.pipeline;
  say(`akvsync demo — everything runs on 127.0.0.1 (ready after ${Math.round(performance.now() - began)} ms)`);
  say(`  kube-apiserver   ${demo.stack.controlPlane.server}`);
  say(`  Key Vault        ${pipeline.emulator.vaultUrl(VAULT)} (emulator, vault "${VAULT}")`);
  say(`  Function app     ${pipeline.functionWebhookUrl}`);
  say(`  agent            ${pipeline.agent.notifyUrl} (signing key id ${pipeline.signingKeyId}, generated at start)`);
  say();

  const client = pipeline.secretClient(VAULT);
  const first = newValue();
  const initial = await client.setSecret(OBJECT, first);
  await createAkvs(kubeConfig, NAMESPACE, AKVS_NAME, akvsSpec({ vault: VAULT, object: OBJECT, secretName: SECRET_NAME }));
  await createDeployment(kubeConfig, reloadingDeployment({ namespace: NAMESPACE, name: DEPLOYMENT, secretName: SECRET_NAME }));
  say(`applied the AzureKeyVaultSecret CRD; created namespace ${NAMESPACE}, AzureKeyVaultSecret ${AKVS_NAME} (vault ${VAULT}, object ${OBJECT}) and Deployment ${DEPLOYMENT} (akvsync.io/reload: "true")`);
  const hash = await waitForInitialSync(demo, initial.properties.version ?? '');
  const keySecret = pipeline.dataHashKeySecret;
  const keyedBy = keySecret ? `the key the agent keeps in Secret ${keySecret.namespace}/${keySecret.name}` : 'the key in AKVSYNC_DATA_HASH_KEY_FILE';
  say(`synced: Secret ${NAMESPACE}/${SECRET_NAME} holds version ${initial.properties.version} (data hash ${hash.slice(0, 16)}…, an HMAC under ${keyedBy}); Deployment ${DEPLOYMENT} has its first ReplicaSet`);
  say();

  demo.recorder = await recordMilestones(pipeline, kubeConfig, NAMESPACE);
  const results: RotationResult[] = [];
  const values: string[] = [first];
  for (let i = 1; i <= options.rotations && !cancelled(); i++) {
    const result = await rotateAndTrace(demo.recorder, {
      client,
      objectName: OBJECT,
      namespace: NAMESPACE,
      secretName: SECRET_NAME,
      deployment: DEPLOYMENT,
      newValue: () => {
        const v = newValue();
        values.push(v);
        return v;
      },
    });
    results.push(result);
    for (const line of formatTimeline(i, options.rotations, OBJECT, result)) say(line);
    say();
    if (!result.complete) throw new Error(`rotation ${i} did not complete within 30 s (see the missing steps above)`);
  }
  printSummary(results);
  const leaked = pipeline.pushProxy?.exchanges.filter((x) => values.some((v) => x.requestBody.includes(v))).length ?? 0;
  say(`checked: ${pipeline.pushProxy?.exchanges.length ?? 0} notification bodies seen on the wire, ${leaked} carried a secret value`);
  if (leaked > 0) throw new Error('a notification body carried a secret value');
}

/** Waits until the first version is written, the CR is Ready and the Deployment has a ReplicaSet; returns the data hash the agent wrote. */
async function waitForInitialSync(demo: Demo, version: string): Promise<string> {
  const kubeConfig = demo.stack!.controlPlane.kubeConfig;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const hash = await waitUntil(
    `Secret ${NAMESPACE}/${SECRET_NAME} at version ${version}`,
    async () => {
      const annotations = (await core.readNamespacedSecret({ namespace: NAMESPACE, name: SECRET_NAME })).metadata?.annotations;
      return annotations?.[syncedVersionAnnotation(AKVS_NAME)] === version ? annotations[DATA_HASH_ANNOTATION] : undefined;
    },
    { timeoutMs: 60_000 },
  );
  await waitUntil(
    `AzureKeyVaultSecret ${NAMESPACE}/${AKVS_NAME} Ready`,
    async () => {
      const cr = (await custom.getNamespacedCustomObject({ group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: AKVS_PLURAL, namespace: NAMESPACE, name: AKVS_NAME })) as { status?: AkvsStatus };
      return cr.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
  await waitUntil(`a ReplicaSet for Deployment ${DEPLOYMENT}`, async () => ((await replicaSetsOf(kubeConfig, NAMESPACE, DEPLOYMENT)).length > 0 ? true : undefined), { timeoutMs: 60_000 });
  return hash;
}

function printSummary(results: readonly RotationResult[]): void {
  if (results.length === 0) return;
  say(`median over ${results.length} rotation(s), ms after SecretClient.setSecret was called:`);
  const first = results[0]!;
  for (let s = 0; s < first.steps.length; s++) {
    const offsets = results.map((r) => r.steps[s]?.offsetMs).filter((o): o is number => o !== undefined).sort((a, b) => a - b);
    const median = offsets[Math.floor((offsets.length - 1) / 2)];
    say(`  ${median === undefined ? '       –' : median.toFixed(1).padStart(8)}  ${first.steps[s]!.kind}`);
  }
}

async function main(): Promise<void> {
  let options: DemoOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    note(`${(error as Error).message}\nusage: npm run demo [-- --rotations N] [-- --keep-running]`);
    process.exitCode = 2;
    return;
  }
  const demo = new Demo();
  let cancelled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (cancelled) return;
    cancelled = true;
    note(`${signal}: stopping everything…`);
    demo.stop().then(
      () => process.exit(130),
      (error: unknown) => {
        note(`stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));

  try {
    await run(options, demo, () => cancelled);
    if (options.keepRunning && !cancelled) {
      say('--keep-running: the stack stays up; Ctrl-C stops everything');
      await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
    }
  } catch (error) {
    if (!cancelled) {
      note(`failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  } finally {
    if (!cancelled) {
      await demo.stop();
      note('stopped: agent, Functions host, Key Vault emulator, Azurite, control plane');
    }
  }
}

await main();
// Nothing may keep running after the demo: sockets and timers of the stopped components must not hold the process.
process.exit();
