import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

describe('agent: one read per version, and the fallback check', () => {
  let h: AgentHarness;
  beforeAll(async () => {
    h = await startAgentHarness({ namespaces: 4 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('100 CRs in several namespaces sharing one object cost exactly one Key Vault read per version', async () => {
    h.emulator.setSecret('kv1', 'shared', 'v1');
    const crs = Array.from({ length: 100 }, (_, i) => ({ ns: h.namespaces[i % h.namespaces.length] as string, name: `shared-${i}` }));
    await Promise.all(
      crs.map(({ ns, name }) => h.createAkvs(ns, name, { vault: { name: 'kv1', object: { name: 'shared', type: 'secret' } }, output: { secret: { name, dataKey: 'v' } } })),
    );
    await waitFor('100 Secrets at v1', async () => {
      const values = await Promise.all(crs.map(({ ns, name }) => h.readSecret(ns, name)));
      return values.every((s) => decode(s, 'v') === 'v1') ? true : undefined;
    }, 60_000);
    await h.agent.whenIdle();
    h.emulator.resetCounters();
    const { version } = h.emulator.setSecret('kv1', 'shared', 'v2');
    const notification = h.notification({ objectName: 'shared', version });
    expect((await h.notify(notification)).status).toBe(202);
    await waitFor('100 Secrets at v2', async () => {
      const values = await Promise.all(crs.map(({ ns, name }) => h.readSecret(ns, name)));
      return values.every((s) => decode(s, 'v') === 'v2') ? true : undefined;
    }, 60_000);
    await h.agent.whenIdle();
    expect(h.emulator.requestCount({ vault: 'kv1', operation: 'getSecret' })).toBe(1);
  });

  it('a lost event is caught by the fallback check with about N/25 list calls and one read', async () => {
    const ns = h.namespaces[0] as string;
    const names = Array.from({ length: 60 }, (_, i) => `fb-${i}`);
    for (const name of names) h.emulator.setSecret('kv1', name, `${name}-a`);
    await Promise.all(names.map((name) => h.createAkvs(ns, name, { vault: { name: 'kv1', object: { name, type: 'secret' } }, output: { secret: { name, dataKey: 'v' } } })));
    await waitFor('60 Secrets', async () => {
      const values = await Promise.all(names.map((name) => h.readSecret(ns, name)));
      return values.every((s, i) => decode(s, 'v') === `${names[i]}-a`) ? true : undefined;
    }, 60_000);
    await h.agent.whenIdle();
    const first = await h.agent.runFallbackCheck();
    expect(first.enqueued).toEqual([]);

    h.emulator.dropEvents(true);
    h.emulator.setSecret('kv1', 'fb-7', 'fb-7-b'); // no notification reaches the agent
    h.emulator.resetCounters();
    const report = await h.agent.runFallbackCheck();
    expect(report.enqueued).toEqual(['object:kv1/secret/fb-7']);
    await waitFor('fb-7 updated', async () => (decode(await h.readSecret(ns, 'fb-7'), 'v') === 'fb-7-b' ? true : undefined));
    await h.agent.whenIdle();
    const objectsInVault = 60 + 1; // fb-*, plus `shared` from the previous test
    expect(h.emulator.requestCount({ vault: 'kv1', operation: 'listSecrets' })).toBe(Math.ceil(objectsInVault / 25));
    expect(h.emulator.requestCount({ vault: 'kv1', operation: 'getSecret' })).toBe(1);
  });

  it('a disabled object keeps its last value and the status says why', async () => {
    const ns = h.namespaces[1] as string;
    h.emulator.setSecret('kv1', 'to-disable', 'kept-value');
    await h.createAkvs(ns, 'to-disable', { vault: { name: 'kv1', object: { name: 'to-disable', type: 'secret' } }, output: { secret: { name: 'to-disable', dataKey: 'v' } } });
    await waitFor('Secret', async () => (decode(await h.readSecret(ns, 'to-disable'), 'v') === 'kept-value' ? true : undefined));
    await h.agent.whenIdle();
    h.emulator.updateSecret('kv1', 'to-disable', { enabled: false });
    expect((await h.agent.runFallbackCheck()).enqueued).toContain('object:kv1/secret/to-disable');
    const status = await waitFor('SecretDisabled', async () => {
      const s = await h.getStatus(ns, 'to-disable');
      return s?.conditions?.some((c) => c.type === 'Synced' && c.reason === 'SecretDisabled') ? s : undefined;
    });
    // Ready=False with the reason until the object is back (issue #7 item 4), and the output keeps the last value.
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SecretDisabled' });
    expect(decode(await h.readSecret(ns, 'to-disable'), 'v')).toBe('kept-value');
  });
});
