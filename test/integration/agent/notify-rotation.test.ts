import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';
import { replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { getTestStack } from '../support/stack-client.js';


describe('agent: rotation + signed notification', () => {
  let h: AgentHarness;
  let ns: string;
  beforeAll(async () => {
    h = await startAgentHarness();
    ns = h.namespaces[0] as string;
    h.emulator.setSecret('kv1', 'api-key', 'first-value');
    await h.createAkvs(ns, 'api-key', { vault: { name: 'kv1', object: { name: 'api-key', type: 'secret' } }, output: { secret: { name: 'api-key', dataKey: 'key' } } });
    await waitFor('initial Secret', () => h.readSecret(ns, 'api-key'));
    await h.apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'api', annotations: { 'akvsync.io/reload': 'true' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'api' } },
          template: {
            metadata: { labels: { app: 'api' } },
            spec: { containers: [{ name: 'api', image: 'registry.invalid/api:1', envFrom: [{ secretRef: { name: 'api-key' } }] }] },
          },
        },
      },
    });
    await waitFor('first ReplicaSet', async () => ((await replicaSetsOf(getTestStack().kubeConfig, ns, 'api')).length === 1 ? true : undefined));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('updates the Secret and rolls the opted-in Deployment exactly once; a replay changes nothing', async () => {
    const { version } = h.emulator.setSecret('kv1', 'api-key', 'second-value');
    const n = h.notification({ objectName: 'api-key', version });
    const res = await h.notify(n);
    expect(res.status).toBe(202);
    await waitFor('Secret updated', async () => (decode(await h.readSecret(ns, 'api-key'), 'key') === 'second-value' ? true : undefined));
    const afterRollout = await waitFor('second ReplicaSet', async () => {
      const rs = await replicaSetsOf(getTestStack().kubeConfig, ns, 'api');
      return rs.length === 2 ? rs : undefined;
    });
    expect(afterRollout).toHaveLength(2);

    const replay = await h.notify(n);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ status: 'duplicate' });
    const sameVersionAgain = await h.notify(h.notification({ objectName: 'api-key', version }));
    expect(sameVersionAgain.status).toBe(202);
    await h.agent.whenIdle();
    const deployment = await h.apps.readNamespacedDeployment({ namespace: ns, name: 'api' });
    await waitFor('controller caught up', async () => {
      const d = await h.apps.readNamespacedDeployment({ namespace: ns, name: 'api' });
      return d.status?.observedGeneration === d.metadata?.generation ? true : undefined;
    });
    expect((await h.apps.readNamespacedDeployment({ namespace: ns, name: 'api' })).metadata?.generation).toBe(deployment.metadata?.generation);
    expect(await replicaSetsOf(getTestStack().kubeConfig, ns, 'api')).toHaveLength(2);
  });

  it('forged, expired and wrong-key notifications change nothing', async () => {
    const before = await h.readSecret(ns, 'api-key');
    const { version } = h.emulator.setSecret('kv1', 'api-key', 'third-value');
    const n = h.notification({ objectName: 'api-key', version });
    const forged = await h.notify(n, { key: { keyId: h.signingKey.keyId, key: new Uint8Array(32).fill(1) } });
    expect(forged.status).toBe(401);
    const expired = await h.notify(n, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(expired.status).toBe(401);
    const tampered = await h.notify(n, { body: JSON.stringify({ ...n, objectName: 'other' }).replace('other', 'api-key ') });
    expect([400, 401]).toContain(tampered.status);
    await h.agent.whenIdle();
    const after = await h.readSecret(ns, 'api-key');
    expect(after?.data).toEqual(before?.data);
    expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    expect(await replicaSetsOf(getTestStack().kubeConfig, ns, 'api')).toHaveLength(2);
  });

  it('exposes metrics for the notifications, writes and restarts', async () => {
    const text = await (await fetch(h.agent.metricsUrl)).text();
    expect(text).toMatch(/akvsync_notifications_total\{outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/akvsync_notifications_total\{outcome="unauthorized"\} [1-9]/);
    expect(text).toMatch(/akvsync_workload_restarts_total\{kind="Deployment"\} 1\b/);
    expect(text).toMatch(/akvsync_sync_latency_seconds_count [1-9]/);
    expect(text).toMatch(/akvsync_keyvault_requests_total\{vault="kv1",operation="getSecret",status="200"\} [1-9]/);
    expect((await fetch(h.agent.metricsUrl.replace('/metrics', '/readyz'))).status).toBe(200);
  });
});
