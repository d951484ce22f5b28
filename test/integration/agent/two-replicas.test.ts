/**
 * Two agent replicas with AKVSYNC_LEADER_ELECTION on one cluster and vault: both ready, only the Lease holder
 * reconciles; a notification that reaches the other is verified there and handed to the leader byte for byte over
 * TLS pinned to the shared certificate (ADR 0003), so it is applied at once and the sender sees the leader's answer;
 * when the leader stops, the other takes the Lease and syncs.
 */
import { CoordinationV1Api } from '@kubernetes/client-node';
import { getTestStack } from '../support/stack-client.js';
import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

describe('agent: two replicas, Lease-based leader election', () => {
  let a: AgentHarness;
  let b: AgentHarness;
  beforeAll(async () => {
    a = await startAgentHarness({ env: { AKVSYNC_LEADER_ELECTION: 'true', AKVSYNC_POD_NAME: 'agent-a' } });
    b = await startAgentHarness({ existingNamespaces: a.namespaces, emulator: a.emulator, replicaOf: a, env: { AKVSYNC_LEADER_ELECTION: 'true', AKVSYNC_POD_NAME: 'agent-b' } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const ready = async (h: AgentHarness): Promise<number> => (await fetch(h.agent.metricsUrl.replace('/metrics', '/readyz'))).status;
  const holder = async (): Promise<string | undefined> =>
    (await getTestStack().kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: a.namespaces[0]!, name: 'akvsync-agent' })).spec?.holderIdentity;

  it('both replicas are ready; the leader syncs; the other hands notifications to it; after the leader stops the other leads and syncs', async () => {
    const ns = a.namespaces[0] as string;
    expect(await holder()).toBe('agent-a');
    expect([await ready(a), await ready(b)]).toEqual([200, 200]);

    a.emulator.setSecret('kv1', 'ha', 'v1');
    await a.createAkvs(ns, 'ha', { vault: { name: 'kv1', object: { name: 'ha', type: 'secret' } }, output: { secret: { name: 'ha', dataKey: 'v' } } });
    await waitFor('synced by the leader', async () => (decode(await a.readSecret(ns, 'ha'), 'v') === 'v1' ? true : undefined));
    expect(a.logLines.some((l) => l.includes('"output written"'))).toBe(true);
    expect(b.logLines.some((l) => l.includes('"output written"'))).toBe(false);

    const v2 = a.emulator.setSecret('kv1', 'ha', 'v2');
    const n2 = b.notification({ objectName: 'ha', version: v2.version });
    await waitFor('agent-b to know the leader', async () => {
      const res = await b.notify(n2);
      return res.status === 202 ? true : undefined;
    });
    expect(a.logLines.some((l) => l.includes('"notification accepted"') && l.includes(n2.eventId))).toBe(true);
    await waitFor('v2 by the leader', async () => (decode(await a.readSecret(ns, 'ha'), 'v') === 'v2' ? true : undefined));
    expect(b.logLines.some((l) => l.includes('"output written"'))).toBe(false);
    // The same event again, through the follower: the leader's dedupe answers.
    const replay = await b.notify(n2);
    expect([replay.status, await replay.json()]).toEqual([200, { status: 'duplicate' }]);
    // A forged one is refused where it lands; the leader never sees it.
    const forged = await b.notify(b.notification({ objectName: 'ha', version: v2.version }), { key: { keyId: b.signingKey.keyId, key: new Uint8Array(32).fill(1) } });
    expect(forged.status).toBe(401);
    expect(a.logLines.some((l) => l.includes('"notification refused"'))).toBe(false);

    await a.agent.stop(); // a clean stop releases the Lease
    await waitFor('agent-b to lead', async () => ((await holder()) === 'agent-b' ? true : undefined), 20_000);
    const v3 = a.emulator.setSecret('kv1', 'ha', 'v3');
    await waitFor('agent-b accepting notifications', async () => {
      const res = await b.notify(b.notification({ objectName: 'ha', version: v3.version }));
      return res.status === 202 ? true : undefined;
    }, 20_000);
    await waitFor('v3 by the new leader', async () => (decode(await b.readSecret(ns, 'ha'), 'v') === 'v3' ? true : undefined));
    expect(b.logLines.some((l) => l.includes('"output written"'))).toBe(true);
  });
});
