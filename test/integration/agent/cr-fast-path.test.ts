/**
 * Issue #7 item 8 on the real stack: 100 CRs of one vault object created one by one cost one Key Vault read and one
 * output write each (O(N)), not a re-reconcile of every earlier CR per create (O(N²)). Counted, not timed.
 */
import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

const N = 100;

describe('agent: creating N CRs of one vault object (per-CR fast path)', () => {
  let h: AgentHarness;
  beforeAll(async () => {
    h = await startAgentHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const writes = async (): Promise<number> => {
    const text = await (await fetch(h.agent.metricsUrl)).text();
    return Number(/akvsync_output_writes_total\{kind="Secret"\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  it(`${N} CRs created one by one: one Key Vault read, ${N} output writes`, async () => {
    const ns = h.namespaces[0] as string;
    h.emulator.setSecret('kv1', 'one-object', 'v1');
    h.emulator.resetCounters();
    for (let i = 0; i < N; i++) {
      await h.createAkvs(ns, `app-${i}`, { vault: { name: 'kv1', object: { name: 'one-object', type: 'secret' } }, output: { secret: { name: `app-${i}`, dataKey: 'v' } } });
    }
    await waitFor(`${N} Secrets`, async () => {
      const all = await Promise.all(Array.from({ length: N }, (_, i) => h.readSecret(ns, `app-${i}`)));
      return all.every((s) => decode(s, 'v') === 'v1') ? true : undefined;
    }, 60_000);
    await h.agent.whenIdle();
    expect(h.emulator.requestCount({ vault: 'kv1', operation: 'getSecret' })).toBe(1);
    expect(await writes()).toBe(N);
  });
});
