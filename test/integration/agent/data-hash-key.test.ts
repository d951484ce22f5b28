/**
 * The agent's default data-hash key: a Secret in its own namespace that it creates when absent (real apiserver, real
 * agent). Proves: created once, hashes are HMACs under it, the same key after a restart (no rewrite, no restart of
 * workloads), replicas racing agree, a malformed key Secret stops start-up and is left as it was, the key is never
 * logged.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Secret } from '@kubernetes/client-node';
import { getOrCreateDataHashKey } from '../../../cluster-agent/adapters/data-hash-key-secret.js';
import { restartAnnotationKey } from '../../../core/restart/restart-annotation.js';
import { dataHash } from '../../../core/sync/data-hash.js';
import { startKeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { akvsSpec, createDeployment, reloadingDeployment, replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { getTestStack } from '../support/stack-client.js';
import { startAgentHarness, waitFor, decode } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

const KEY_SECRET = 'akvsync-data-hash-key';
const HASH = 'akvsync.io/data-hash';

const keyOf = (s: V1Secret | undefined): Buffer => Buffer.from(s?.data?.key ?? '', 'base64');
/** Every way a 32-byte key could be spelled in a log line. */
const spellings = (key: Buffer): string[] => [key.toString('base64'), key.toString('base64url'), key.toString('hex'), JSON.stringify([...key])];

/** Waits until this (restarted) agent's catch-up compared the vault with the CRs' status and its queue is idle. */
async function caughtUp(h: AgentHarness, logFrom: number): Promise<string> {
  const line = await waitFor('the restarted agent caught up', () => h.logLines.slice(logFrom).find((l) => l.includes('"catch-up done"')));
  await h.agent.whenIdle();
  return line;
}

describe('agent: data-hash key Secret (default, no AKVSYNC_DATA_HASH_KEY_FILE)', () => {
  const core = (): CoreV1Api => getTestStack().kubeConfig.makeApiClient(CoreV1Api);

  it('creates the key once, hashes with it, reuses it after a restart (same hashes, no rewrite, no second restart); a new key rewrites hashes only', async () => {
    const stack = getTestStack();
    const ns = await stack.createNamespace('hashkey');
    const emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: ['kv1'] });
    const logs: string[] = [];
    let running: AgentHarness | undefined;
    const start = async (): Promise<AgentHarness> => (running = await startAgentHarness({ existingNamespaces: [ns], emulator, logLines: logs }));
    try {
      expect(await core().readNamespacedSecret({ namespace: ns, name: KEY_SECRET }).catch((e: { code?: number }) => e.code)).toBe(404);
      const first = await start();
      const keySecret = await first.readSecret(ns, KEY_SECRET);
      const key = keyOf(keySecret);
      expect(key.byteLength).toBe(32);
      expect(keySecret?.immutable).toBe(true);
      expect(logs.join('\n')).toMatch(/"created":true.*data-hash key Secret created/);

      emulator.setSecret('kv1', 'db-password', 'pw-1');
      await first.createAkvs(ns, 'db', akvsSpec({ vault: 'kv1', object: 'db-password', secretName: 'db' }));
      await waitFor('Secret db', () => first.readSecret(ns, 'db'));
      await createDeployment(stack.kubeConfig, reloadingDeployment({ namespace: ns, name: 'web', secretName: 'db' }));
      await waitFor('first ReplicaSet', async () => ((await replicaSetsOf(stack.kubeConfig, ns, 'web')).length === 1 ? true : undefined));
      const { version } = emulator.setSecret('kv1', 'db-password', 'pw-2');
      expect((await first.notify(first.notification({ objectName: 'db-password', version }))).status).toBe(202);
      const keyed = dataHash({ value: Buffer.from('pw-2') }, key);
      expect(keyed).not.toBe(dataHash({ value: Buffer.from('pw-2') }));
      const written = await waitFor('Secret db at pw-2', async () => {
        const s = await first.readSecret(ns, 'db');
        return decode(s, 'value') === 'pw-2' ? s : undefined;
      });
      expect(written.metadata?.annotations?.[HASH]).toBe(keyed);
      const rolled = await waitFor('restart annotation', async () => {
        const d = await first.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
        return d.spec?.template.metadata?.annotations?.[restartAnnotationKey('Secret', 'db')] === keyed ? d : undefined;
      });
      await waitFor('status hash', async () => ((await first.getStatus(ns, 'db'))?.dataHash === keyed ? true : undefined));
      await first.agent.whenIdle();
      running = undefined;
      await first.stop();

      const logsBefore = logs.length;
      const second = await start();
      // Everything was current: the catch-up listed the vault and read nothing.
      expect(await caughtUp(second, logsBefore)).toMatch(/"current":1,/);
      expect(logs.join('\n')).toMatch(/"created":false.*data-hash key Secret read/);
      expect((await second.readSecret(ns, KEY_SECRET))?.metadata?.resourceVersion).toBe(keySecret?.metadata?.resourceVersion);
      const after = await second.readSecret(ns, 'db');
      expect(after?.metadata?.annotations?.[HASH]).toBe(keyed);
      expect(after?.metadata?.resourceVersion).toBe(written.metadata?.resourceVersion);
      expect((await second.apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).metadata?.generation).toBe(rolled.metadata?.generation);
      expect((await second.getStatus(ns, 'db'))?.dataHash).toBe(keyed);

      // Rotation as documented: delete the Secret, restart. Every output is rewritten once; no workload restarts.
      await second.agent.whenIdle();
      running = undefined;
      await second.stop();
      await core().deleteNamespacedSecret({ namespace: ns, name: KEY_SECRET });
      const third = await start();
      const newKey = keyOf(await third.readSecret(ns, KEY_SECRET));
      expect(newKey.equals(key)).toBe(false);
      const rekeyed = dataHash({ value: Buffer.from('pw-2') }, newKey);
      await waitFor('Secret db re-hashed', async () => ((await third.readSecret(ns, 'db'))?.metadata?.annotations?.[HASH] === rekeyed ? true : undefined));
      await waitFor('status re-hashed', async () => ((await third.getStatus(ns, 'db'))?.dataHash === rekeyed ? true : undefined));
      await third.agent.whenIdle();
      expect((await third.apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).metadata?.generation).toBe(rolled.metadata?.generation);

      const logText = logs.join('\n');
      expect(logText).toContain('output written');
      for (const spelling of [...spellings(key), ...spellings(newKey)]) expect(logText).not.toContain(spelling);
    } finally {
      await running?.stop();
      await emulator.close();
      await core().deleteNamespace({ name: ns }).catch(() => undefined);
    }
  });

  it('replicas creating it at the same time agree on one key', async () => {
    const ns = await getTestStack().createNamespace('hashkey');
    try {
      const ref = { namespace: ns, name: KEY_SECRET };
      const results = await Promise.all([0, 1, 2].map(() => getOrCreateDataHashKey(core(), ref)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const stored = keyOf(await core().readNamespacedSecret({ namespace: ns, name: KEY_SECRET }));
      for (const r of results) expect(Buffer.from(r.key).equals(stored)).toBe(true);
    } finally {
      await core().deleteNamespace({ name: ns }).catch(() => undefined);
    }
  });

  it('a malformed key Secret stops start-up with a clear error, and the Secret is not replaced', async () => {
    const ns = await getTestStack().createNamespace('hashkey');
    try {
      const short = Buffer.from('sixteen-byte-key');
      const made = await core().createNamespacedSecret({ namespace: ns, body: { metadata: { name: KEY_SECRET }, data: { key: short.toString('base64') } } });
      const logs: string[] = [];
      const error = (await startAgentHarness({ existingNamespaces: [ns], logLines: logs }).then(
        () => new Error('the agent started'),
        (e: unknown) => e as Error & { code?: string },
      )) as Error & { code?: string };
      expect(error.code).toBe('DataHashKeyInvalid');
      expect(error.message).toMatch(new RegExp(`^data-hash key Secret ${ns}/${KEY_SECRET} holds a 16-byte "key"; at least 32 bytes are needed`));
      expect(error.message).not.toContain(short.toString('base64'));
      expect(error.message).not.toContain('sixteen-byte-key');
      const after = await core().readNamespacedSecret({ namespace: ns, name: KEY_SECRET });
      expect(after.metadata?.resourceVersion).toBe(made.metadata?.resourceVersion);
      expect(keyOf(after).equals(short)).toBe(true);
      expect(logs.join('\n')).not.toContain('sixteen-byte-key');
    } finally {
      await core().deleteNamespace({ name: ns }).catch(() => undefined);
    }
  });
});
