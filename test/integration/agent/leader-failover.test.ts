/**
 * Issue #7 item 7, the failover test: two agent replicas as real processes (leader election on a real Lease), the
 * real Function routing every Key Vault event to one of them (two Function instances, one per replica, as a Service
 * would spread them; a failed push would land in the Function's retry queue on Azurite), a burst of 200 rotations
 * over 100 objects, and the leader killed with SIGKILL in the middle of it. The fallback check is out of reach
 * (1 h; its counter is asserted 0), so it cannot mask a loss. Proves: every push is answered 2xx (nothing waits for
 * the Function's retry path), the non-leader hands notifications to the leader and parks them while no one leads,
 * every Secret ends on its latest version, and no Deployment restarts twice for one version.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { AppsV1Api, CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { forEachLimited } from '../../../core/concurrency/for-each-limited.js';
import { restartAnnotationKey } from '../../../core/restart/restart-annotation.js';
import { invocationLogger } from '../../../functions/adapters/invocation-logger.js';
import { parseFunctionsConfig } from '../../../functions/config.js';
import { routeKeyVaultEvents } from '../../../functions/route-key-vault-events.js';
import { createFunctionRuntime, type FunctionRuntime } from '../../../functions/runtime.js';
import { replicaEnv } from '../../../scripts/agent-process/agent-process-env.js';
import { startAgentProcess, type AgentProcess } from '../../../scripts/agent-process/start-agent-process.js';
import { akvsSpec, createAkvs, createDeployment, reloadingDeployment, replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { newVersionEvent } from '../../../scripts/kv-emulator/event-grid-event.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { writeKubeconfigFile } from '../../../scripts/local-stack/kubeconfig.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { getTestStack } from '../support/stack-client.js';
import { AGENT_SERVICE_ACCOUNT, grantAgentRbac, type AgentRbacGrant } from './agent-rbac-grant.js';
import { applyCrd, decode, waitFor } from './agent-harness.js';

const OBJECTS = 100;
const WORKLOADS = 20;
const LEASE = 'akvsync-agent';
const HASH = 'akvsync.io/data-hash';

let emulator: KeyVaultEmulator;
let ns: string;
let rbac: AgentRbacGrant;
let dir: string;
const agents = new Map<string, AgentProcess>();
const runtimes = new Map<string, FunctionRuntime>();

const metric = async (agent: AgentProcess, name: string, labels: string): Promise<number> => {
  const text = await (await fetch(agent.metricsUrl)).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(labels)).reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
};

beforeAll(async () => {
  const stack = getTestStack();
  await applyCrd();
  emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: ['kv1'] });
  ns = await stack.createNamespace('failover');
  rbac = await grantAgentRbac(ns, [ns], { leaderElectionLease: LEASE });
  dir = mkdtempSync(join(tmpdir(), 'akvsync-failover-'));
  const kubeconfigPath = writeKubeconfigFile(await stack.kubeConfigForServiceAccount(ns, AGENT_SERVICE_ACCOUNT, { expirationSeconds: 3600 }), join(dir, 'agent.kubeconfig'));
  const signingKey = { keyId: 'failover-1', key: new Uint8Array(randomBytes(32)) };
  const tls = issueLoopbackServerCert(stack.ca);
  const start = async (podName: string): Promise<AgentProcess> => {
    const podDir = mkdtempSync(join(dir, `${podName}-`));
    const env = replicaEnv({
      podName, kubeconfigPath, namespace: ns, watchNamespaces: [ns], vaultUrls: { kv1: emulator.vaultUrl('kv1') },
      azure: { tenantId: emulator.tenantId, clientId: emulator.clientId, clientSecret: emulator.clientSecret, authorityHost: emulator.authorityHost },
      signingKey, tls, dir: podDir, lease: { duration: '4s', renewDeadline: '3s', retryPeriod: '500ms' },
      extra: { AKVSYNC_FALLBACK_INTERVAL: '1h', AKVSYNC_KEYVAULT_MAX_RETRIES: '1' },
    });
    const agent = await startAgentProcess({ env, extraCaFile: stack.caFile });
    agents.set(podName, agent);
    const cluster = { name: `${podName}-${randomUUID().slice(0, 6)}`, pushUrl: agent.notifyUrl, caPem: stack.ca.certPem, keyId: signingKey.keyId, signingKey: Buffer.from(signingKey.key).toString('base64'), vaults: ['kv1'] };
    runtimes.set(podName, await createFunctionRuntime(parseFunctionsConfig({ AKVSYNC_CLUSTERS: JSON.stringify([cluster]), AKVSYNC_STORAGE: stack.azurite.connectionString })));
    return agent;
  };
  await start('agent-a');
  await waitFor('agent-a leads', async () => ((await holder()) === 'agent-a' ? true : undefined));
  await start('agent-b');
}, 180_000);

afterAll(async () => {
  await Promise.all([...runtimes.values()].map((r) => r.close()));
  await Promise.all([...agents.values()].map((a) => a.kill()));
  await emulator?.close();
  await rbac?.remove();
  await getTestStack().kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function holder(): Promise<string | undefined> {
  const lease = await getTestStack().kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns, name: LEASE }).catch(() => undefined);
  return lease?.spec?.holderIdentity;
}

describe('agent: the leader killed in the middle of a burst of 200 rotations (fallback check disabled)', () => {
  it('every Secret ends on its latest version, every push is answered 2xx, no workload restarts twice for one version', async () => {
    const kc = getTestStack().kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const name = (i: number): string => `obj-${i}`;
    for (let i = 0; i < OBJECTS; i++) emulator.setSecret('kv1', name(i), `${name(i)}-v0`);
    await forEachLimited(Array.from({ length: OBJECTS }, (_, i) => i), 8, (i) => createAkvs(kc, ns, name(i), akvsSpec({ vault: 'kv1', object: name(i), secretName: name(i), dataKey: 'v' })));
    const secretValue = async (i: number): Promise<string | undefined> => decode(await core.readNamespacedSecret({ namespace: ns, name: name(i) }).catch(() => undefined), 'v');
    await waitFor('every Secret at v0', async () => ((await Promise.all(Array.from({ length: OBJECTS }, (_, i) => secretValue(i)))).every((v, i) => v === `${name(i)}-v0`) ? true : undefined), 90_000);
    for (let i = 0; i < WORKLOADS; i++) await createDeployment(kc, reloadingDeployment({ namespace: ns, name: name(i), secretName: name(i), dataKey: 'v' }));
    await waitFor('first ReplicaSets', async () => ((await Promise.all(Array.from({ length: WORKLOADS }, (_, i) => replicaSetsOf(kc, ns, name(i))))).every((r) => r.length === 1) ? true : undefined), 60_000);

    // The burst: rotation r moves object r % 100 to version 1 (r < 100) or 2; each event goes through the real
    // Function to one replica, alternately; the leader is killed after the first 100 and the rest reach the survivor.
    const log = invocationLogger(new InvocationContext({ logHandler: () => undefined }));
    const reports: { delivered: number; retryQueued: number; refused: number }[] = [];
    const rotate = async (r: number, via: string): Promise<void> => {
      const i = r % OBJECTS;
      const { version } = emulator.setSecret('kv1', name(i), `${name(i)}-v${r < OBJECTS ? 1 : 2}`);
      const event = newVersionEvent({
        id: randomUUID(), vault: 'kv1', resourceId: emulator.resourceId('kv1'), eventTime: new Date().toISOString(),
        created: { objectType: 'Secret', name: name(i), version, nbf: undefined, exp: undefined },
      });
      const report = await routeKeyVaultEvents(JSON.parse(JSON.stringify(event)), { ...runtimes.get(via)!.routing, log });
      reports.push({ delivered: report.delivered.length, retryQueued: report.retryQueued.length, refused: report.refused.length });
    };
    await forEachLimited(Array.from({ length: OBJECTS }, (_, r) => r), 8, (r) => rotate(r, r % 2 === 0 ? 'agent-a' : 'agent-b'));
    const killedAt = Date.now();
    await agents.get('agent-a')!.kill('SIGKILL');
    await forEachLimited(Array.from({ length: OBJECTS }, (_, r) => OBJECTS + r), 8, (r) => rotate(r, 'agent-b'));

    expect(reports).toHaveLength(2 * OBJECTS);
    expect(reports.filter((r) => r.delivered !== 1 || r.retryQueued !== 0 || r.refused !== 0)).toEqual([]);
    await waitFor('agent-b leads', async () => ((await holder()) === 'agent-b' ? true : undefined), 30_000);
    await waitFor('every Secret on its latest version', async () => {
      const values = await Promise.all(Array.from({ length: OBJECTS }, (_, i) => secretValue(i)));
      return values.every((v, i) => v === `${name(i)}-v2`) ? true : undefined;
    }, 90_000);
    const b = agents.get('agent-b')!;
    // Each workload rolled for the data it now has; let any late restart land before counting.
    await waitFor('every workload restarted for the latest data', async () => {
      for (let i = 0; i < WORKLOADS; i++) {
        const secret = await core.readNamespacedSecret({ namespace: ns, name: name(i) });
        const d = await apps.readNamespacedDeployment({ namespace: ns, name: name(i) });
        if (d.spec?.template.metadata?.annotations?.[restartAnnotationKey('Secret', name(i))] !== secret.metadata?.annotations?.[HASH]) return undefined;
      }
      return true;
    }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (let i = 0; i < WORKLOADS; i++) {
      const d = await apps.readNamespacedDeployment({ namespace: ns, name: name(i) });
      const sets = await replicaSetsOf(kc, ns, name(i));
      const hashes = sets.map((s) => s.spec?.template?.metadata?.annotations?.[restartAnnotationKey('Secret', name(i))] ?? 'initial');
      // One ReplicaSet per pod template: the initial one and at most one per version written (v1 may be skipped when
      // its notification and v2's were coalesced), never two for one data hash.
      expect(new Set(hashes).size).toBe(hashes.length);
      expect(sets.length).toBeLessThanOrEqual(3);
      expect((d.metadata?.generation ?? 0) - 1).toBeLessThanOrEqual(2);
    }
    expect(b.logLines.some((l) => l.includes('"became leader"'))).toBe(true);
    expect(b.logLines.some((l) => l.includes('"catch-up done"'))).toBe(true);
    expect(await metric(b, 'akvsync_notifications_total', 'outcome="handed-off"')).toBeGreaterThan(0);
    expect(await metric(b, 'akvsync_notifications_total', 'outcome="parked"')).toBeGreaterThan(0);
    expect(await metric(b, 'akvsync_fallback_checks_total', '')).toBe(0);
    process.stderr.write(`leader-failover: agent-b synced everything ${Date.now() - killedAt} ms after agent-a was killed\n`);
  }, 300_000);
});
