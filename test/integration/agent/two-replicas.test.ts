/**
 * Two agent replicas with AKVSYNC_LEADER_ELECTION on one cluster and vault: both ready, only the Lease holder
 * reconciles; a notification that reaches the other is answered 503 (the sender retries; nothing is lost — the
 * hand-off of ADR 0003 is not built yet); when the leader stops, the other takes the Lease and syncs.
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
    b = await startAgentHarness({ existingNamespaces: a.namespaces, emulator: a.emulator, env: { AKVSYNC_LEADER_ELECTION: 'true', AKVSYNC_POD_NAME: 'agent-b' } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const ready = async (h: AgentHarness): Promise<number> => (await fetch(h.agent.metricsUrl.replace('/metrics', '/readyz'))).status;
  const holder = async (): Promise<string | undefined> =>
    (await getTestStack().kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: a.namespaces[0]!, name: 'akvsync-agent' })).spec?.holderIdentity;

  it('both replicas are ready; the leader syncs; the other answers notifications 503; after the leader stops the other leads and syncs', async () => {
    const ns = a.namespaces[0] as string;
    expect(await holder()).toBe('agent-a');
    expect([await ready(a), await ready(b)]).toEqual([200, 200]);

    a.emulator.setSecret('kv1', 'ha', 'v1');
    await a.createAkvs(ns, 'ha', { vault: { name: 'kv1', object: { name: 'ha', type: 'secret' } }, output: { secret: { name: 'ha', dataKey: 'v' } } });
    await waitFor('synced by the leader', async () => (decode(await a.readSecret(ns, 'ha'), 'v') === 'v1' ? true : undefined));
    expect(a.logLines.some((l) => l.includes('"output written"'))).toBe(true);
    expect(b.logLines.some((l) => l.includes('"output written"'))).toBe(false);

    const v2 = a.emulator.setSecret('kv1', 'ha', 'v2');
    const toFollower = await b.notify(b.notification({ objectName: 'ha', version: v2.version }));
    expect(toFollower.status).toBe(503);
    expect(toFollower.headers.get('retry-after')).toBe('5');
    expect((await a.notify(a.notification({ objectName: 'ha', version: v2.version }))).status).toBe(202);
    await waitFor('v2 by the leader', async () => (decode(await a.readSecret(ns, 'ha'), 'v') === 'v2' ? true : undefined));

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
