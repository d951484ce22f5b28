/**
 * Issue #7 item 8 on the real stack, at N ≈ 100: an agent that starts over 100 existing CRs of 10 vault objects reads
 * each object once for all its CRs (10 Key Vault reads, not 100), and so does a restart over the same, already-synced
 * CRs. Counted at the emulator, not timed (the 10,000-CR figure is bench/cold-start-10000-crs.ts).
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { getTestStack } from '../support/stack-client.js';
import { applyCrd, decode, startAgentHarness, waitFor, type AgentHarness } from './agent-harness.js';

const OBJECTS = 10;
const CRS_PER_OBJECT = 10;
const N = OBJECTS * CRS_PER_OBJECT;

describe('agent: a cold start over existing CRs reads each vault object once', () => {
  const stack = getTestStack();
  let emulator: KeyVaultEmulator;
  let namespaces: string[];
  let h: AgentHarness | undefined;
  const objectOf = (i: number): string => `object-${Math.floor(i / CRS_PER_OBJECT)}`;
  const namespaceOf = (i: number): string => namespaces[i % namespaces.length] as string;

  beforeAll(async () => {
    await applyCrd();
    emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: ['kv1'] });
    namespaces = [await stack.createNamespace('cold'), await stack.createNamespace('cold')];
    for (let o = 0; o < OBJECTS; o++) emulator.setSecret('kv1', `object-${o}`, `value-${o}`);
  });
  afterAll(async () => {
    await h?.stop();
    await emulator?.close();
    const core = stack.kubeConfig.makeApiClient(CoreV1Api);
    for (const ns of namespaces ?? []) await core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  const allSynced = async (harness: AgentHarness): Promise<true | undefined> => {
    const secrets = await Promise.all(Array.from({ length: N }, (_, i) => harness.readSecret(namespaceOf(i), `cr-${i}`)));
    return secrets.every((s, i) => decode(s, 'value') === `value-${Math.floor(i / CRS_PER_OBJECT)}`) ? true : undefined;
  };

  it(`syncs ${N} CRs over ${OBJECTS} objects with ${OBJECTS} Key Vault reads, and a restart reads no more`, async () => {
    // The CRs exist before the agent starts (what its informer's first list delivers at once).
    const custom = stack.kubeConfig.makeApiClient(CustomObjectsApi);
    for (let i = 0; i < N; i++) {
      const namespace = namespaceOf(i);
      await custom.createNamespacedCustomObject({
        group: 'akvsync.io', version: 'v1', plural: 'azurekeyvaultsecrets', namespace,
        body: {
          apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', metadata: { name: `cr-${i}`, namespace },
          spec: { vault: { name: 'kv1', object: { name: objectOf(i), type: 'secret' } }, output: { secret: { name: `cr-${i}`, dataKey: 'value' } } },
        },
      });
    }
    emulator.resetCounters();

    h = await startAgentHarness({ existingNamespaces: namespaces, emulator });
    await waitFor(`${N} Secrets`, () => allSynced(h as AgentHarness), 120_000);
    await h.agent.whenIdle();
    expect(emulator.requestCount({ vault: 'kv1', operation: 'getSecret' })).toBe(OBJECTS);
    await h.stop();
    h = undefined;

    // The restart: its informer's first list has queued every CR when startAgent resolves; idle = all handled.
    emulator.resetCounters();
    h = await startAgentHarness({ existingNamespaces: namespaces, emulator });
    await h.agent.whenIdle();
    expect(await allSynced(h)).toBe(true);
    expect(emulator.requestCount({ vault: 'kv1', operation: 'getSecret' })).toBeLessThanOrEqual(OBJECTS);
  }, 240_000);
});
