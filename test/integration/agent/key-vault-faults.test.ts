import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

describe('agent: Key Vault failures leave the Secret untouched and recover', () => {
  let h: AgentHarness;
  let ns: string;
  beforeAll(async () => {
    h = await startAgentHarness();
    ns = h.namespaces[0] as string;
    h.emulator.setSecret('kv1', 'flaky', 'good-value');
    await h.createAkvs(ns, 'flaky', { vault: { name: 'kv1', object: { name: 'flaky', type: 'secret' } }, output: { secret: { name: 'flaky', dataKey: 'v' } } });
    await waitFor('Secret', async () => (decode(await h.readSecret(ns, 'flaky'), 'v') === 'good-value' ? true : undefined));
    await h.agent.whenIdle();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it.each([
    ['429 with Retry-After', { status: 429 as const, retryAfterSeconds: 1 }],
    ['503', { status: 503 as const }],
    ['500', { status: 500 as const }],
  ])('%s: existing Secret byte-equal while failing; updated after the faults clear', async (_name, fault) => {
    const before = await h.readSecret(ns, 'flaky');
    const { version } = h.emulator.setSecret('kv1', 'flaky', `next-${fault.status}`);
    h.emulator.injectFault({ vault: 'kv1', path: /^\/secrets\/flaky/, ...fault });
    expect((await h.notify(h.notification({ objectName: 'flaky', version }))).status).toBe(202);
    await waitFor('a failed read', async () => (h.emulator.requestCount({ vault: 'kv1', operation: 'getSecret' }) > 0 && h.logLines.some((l) => l.includes('"sync failed"')) ? true : undefined));
    const during = await h.readSecret(ns, 'flaky');
    expect(during?.data).toEqual(before?.data);
    expect(during?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    const status = await waitFor('Synced=False', async () => {
      const s = await h.getStatus(ns, 'flaky');
      return s?.conditions?.some((c) => c.type === 'Synced' && c.status === 'False') ? s : undefined;
    });
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'LastValueKept' });
    h.emulator.clearFaults();
    await waitFor('recovered', async () => (decode(await h.readSecret(ns, 'flaky'), 'v') === `next-${fault.status}` ? true : undefined), 60_000);
    await waitFor('Synced=True', async () => {
      const s = await h.getStatus(ns, 'flaky');
      return s?.conditions?.some((c) => c.type === 'Synced' && c.status === 'True') ? s : undefined;
    });
    h.logLines.length = 0;
  });
});
