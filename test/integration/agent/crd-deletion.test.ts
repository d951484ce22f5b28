/**
 * The uninstall default (docs/adr/0004-output-lifecycle.md) on a control plane of this test's own (deleting the CRD on
 * the jest run's apiserver would take every other suite's CRs with it): with the agent running under its generated
 * RBAC, deleting the AzureKeyVaultSecret CRD deletes every CR; each CR's finalizer sees the CRD terminating and leaves its
 * output in place, and no output carries an owner reference for the (running) garbage collector to follow.
 */
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { startControlPlane } from '../../../scripts/local-stack/control-plane.js';
import type { ControlPlane } from '../../../scripts/local-stack/control-plane.js';
import { PROJECT_CRD_PATHS } from '../../../scripts/local-stack/stack.js';
import { decode, startAgentHarness, waitFor } from './agent-harness.js';
import type { AgentHarness } from './agent-harness.js';

const CRD = 'azurekeyvaultsecrets.akvsync.io';

describe('agent: deleting the CRD (an uninstall) deletes no Secret', () => {
  let cp: ControlPlane;
  let h: AgentHarness;
  beforeAll(async () => {
    cp = await startControlPlane({ crdPaths: PROJECT_CRD_PATHS });
    h = await startAgentHarness({ controlPlane: cp });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await cp?.stop();
  });

  it('every CR goes, its finalizer released by the agent, and every output stays with its data', async () => {
    const ns = h.namespaces[0] as string;
    h.emulator.setSecret('kv1', 'one', 'value-one');
    h.emulator.setSecret('kv1', 'two', 'value-two');
    const spec = (object: string, output: string, dataKey: string) => ({ vault: { name: 'kv1', object: { name: object, type: 'secret' as const } }, output: { secret: { name: output, dataKey } } });
    await h.createAkvs(ns, 'solo', spec('one', 'solo', 'v'));
    await h.createAkvs(ns, 'part-1', spec('one', 'shared', 'a'));
    await h.createAkvs(ns, 'part-2', spec('two', 'shared', 'b'));
    await waitFor('outputs written', async () => (decode(await h.readSecret(ns, 'solo'), 'v') === 'value-one' && decode(await h.readSecret(ns, 'shared'), 'b') === 'value-two' ? true : undefined));
    await h.agent.whenIdle();

    const extensions = cp.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await extensions.deleteCustomResourceDefinition({ name: CRD });
    await waitFor('CRD gone (every CR finalized)', async () => ((await extensions.readCustomResourceDefinition({ name: CRD }).catch(() => undefined)) === undefined ? true : undefined), 60_000);

    const solo = await h.readSecret(ns, 'solo');
    const shared = await h.readSecret(ns, 'shared');
    expect(decode(solo, 'v')).toBe('value-one');
    expect({ a: decode(shared, 'a'), b: decode(shared, 'b') }).toEqual({ a: 'value-one', b: 'value-two' });
    expect([solo?.metadata?.ownerReferences, shared?.metadata?.ownerReferences]).toEqual([undefined, undefined]);
    const left = h.logLines.filter((l) => l.includes('CR deleted with its CRD (uninstall); output left in place'));
    expect(left).toHaveLength(3);
    expect(h.logLines.join('\n')).not.toMatch(/"output deleted"|keys of this CR removed/);
  });
});
