/**
 * Issue #7 item 7, the catch-up: an agent that starts (a cold start, or a new leader) lists each vault's properties
 * once per listing its object types need and reads only the objects whose Key Vault `updated` time differs from what
 * the CRs' status records (`syncedUpdatedTime`) — counted per operation at the Key Vault emulator. Real apiserver,
 * real SDK.
 */
import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

const SECRETS = Array.from({ length: 10 }, (_, i) => `s${i}`);
const VAULTS = ['kv1', 'kv2'];

describe('agent: catch-up at start-up (one listing per vault, reads only what moved)', () => {
  let first: AgentHarness;
  let ns: string;
  beforeAll(async () => {
    first = await startAgentHarness({ vaults: VAULTS });
    ns = first.namespaces[0] as string;
    for (const vault of VAULTS) {
      for (const name of SECRETS) {
        first.emulator.setSecret(vault, name, `${vault}-${name}-1`);
        await first.createAkvs(ns, `${vault}-${name}`, { vault: { name: vault, object: { name, type: 'secret' } }, output: { secret: { name: `${vault}-${name}`, dataKey: 'v' } } });
      }
    }
    first.emulator.createKey('kv2', 'signing', { kty: 'EC' });
    await first.createAkvs(ns, 'signing', { vault: { name: 'kv2', object: { name: 'signing', type: 'key' } }, output: { secret: { name: 'signing', dataKey: 'key.pem' } } });
    for (const name of [...VAULTS.flatMap((v) => SECRETS.map((s) => `${v}-${s}`)), 'signing']) {
      await waitFor(`status of ${name}`, async () => ((await first.getStatus(ns, name))?.syncedUpdatedTime !== undefined ? true : undefined));
    }
    await first.agent.whenIdle();
    await first.agent.stop();
  });
  afterAll(async () => {
    await first?.stop();
  });

  /** Starts an agent on the same cluster and vaults, waits for its catch-up and queue; returns the emulator's counts. */
  async function restart(): Promise<{ agent: AgentHarness; count: (vault: string, operation: string) => number }> {
    first.emulator.resetCounters();
    const agent = await startAgentHarness({ vaults: VAULTS, emulator: first.emulator, existingNamespaces: first.namespaces });
    await waitFor('catch-up done', () => (agent.logLines.some((l) => l.includes('"catch-up done"')) ? true : undefined));
    await agent.agent.whenIdle();
    return { agent, count: (vault, operation) => first.emulator.requestCount({ vault, operation }) };
  }

  it('records the Key Vault `updated` time of the synced version in status', async () => {
    const status = await first.getStatus(ns, 'kv1-s0');
    expect(Date.parse(status?.syncedUpdatedTime ?? '')).toBeGreaterThan(Date.now() - 10 * 60_000);
  });

  it('a restart with everything current: one listing per vault (and the keys listing where keys are used), no read', async () => {
    const { agent, count } = await restart();
    try {
      expect(VAULTS.map((v) => count(v, 'listSecrets'))).toEqual([1, 1]);
      expect([count('kv1', 'listKeys'), count('kv2', 'listKeys')]).toEqual([0, 1]);
      expect(VAULTS.flatMap((v) => [count(v, 'getSecret'), count(v, 'getKey')])).toEqual([0, 0, 0, 0]);
      expect(agent.logLines.find((l) => l.includes('"catch-up done"'))).toMatch(/"vaultsListed":2,"vaultsFailed":0,"moved":0,"crsQueued":0,"current":21/);
    } finally {
      await agent.stop();
    }
  });

  it('one object rotated while no agent ran: exactly one read, and its Secret gets the new value', async () => {
    first.emulator.setSecret('kv1', 's3', 'kv1-s3-2');
    const { agent, count } = await restart();
    try {
      await waitFor('kv1-s3 rotated', async () => (decode(await agent.readSecret(ns, 'kv1-s3'), 'v') === 'kv1-s3-2' ? true : undefined));
      expect(VAULTS.map((v) => count(v, 'listSecrets'))).toEqual([1, 1]);
      expect([count('kv1', 'getSecret'), count('kv2', 'getSecret'), count('kv2', 'getKey')]).toEqual([1, 0, 0]);
      expect(decode(await agent.readSecret(ns, 'kv1-s4'), 'v')).toBe('kv1-s4-1');
    } finally {
      await agent.stop();
    }
  });
});
