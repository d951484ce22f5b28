/**
 * Issue item 7: two Function instances (two runtimes sharing the Table dedupe store on Azurite) receive the same
 * Key Vault event at once and push it to the real agent: at most two pushes reach it, never zero, and the agent
 * writes the Secret exactly once and rolls the opted-in Deployment exactly once. The agent's fallback check is out of
 * reach (1 h), so only the notification can have done it.
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { invocationLogger } from '../../../functions/adapters/invocation-logger.js';
import { parseFunctionsConfig } from '../../../functions/config.js';
import { routeKeyVaultEvents } from '../../../functions/route-key-vault-events.js';
import { createFunctionRuntime, type FunctionRuntime } from '../../../functions/runtime.js';
import { createDeployment, reloadingDeployment, replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { newVersionEvent } from '../../../scripts/kv-emulator/event-grid-event.js';
import { decode, startAgentHarness, waitFor, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

let h: AgentHarness;
let ns: string;
const runtimes: FunctionRuntime[] = [];

const metric = async (name: string, labels: string): Promise<number> => {
  const text = await (await fetch(h.agent.metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

beforeAll(async () => {
  h = await startAgentHarness();
  ns = h.namespaces[0] as string;
  h.emulator.setSecret('kv1', 'api-token', 'first-value');
  await h.createAkvs(ns, 'api-token', { vault: { name: 'kv1', object: { name: 'api-token', type: 'secret' } }, output: { secret: { name: 'api-token', dataKey: 'token' } } });
  await waitFor('initial Secret', async () => (decode(await h.readSecret(ns, 'api-token'), 'token') === 'first-value' ? true : undefined));
  await createDeployment(getTestStack().kubeConfig, reloadingDeployment({ namespace: ns, name: 'api', secretName: 'api-token', dataKey: 'token' }));
  await waitFor('first ReplicaSet', async () => ((await replicaSetsOf(getTestStack().kubeConfig, ns, 'api')).length === 1 ? true : undefined));
  const settings = {
    AKVSYNC_CLUSTERS: JSON.stringify([{
      name: `agent-${randomUUID().slice(0, 8)}`, pushUrl: h.agent.notifyUrl, caPem: getTestStack().ca.certPem,
      keyId: h.signingKey.keyId, signingKey: Buffer.from(h.signingKey.key).toString('base64'), vaults: ['kv1'],
    }]),
    AKVSYNC_STORAGE: getTestStack().azurite.connectionString,
  };
  for (let i = 0; i < 2; i++) runtimes.push(await createFunctionRuntime(parseFunctionsConfig(settings)));
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await h?.stop();
});

describe('two Function instances, one event, the real agent', () => {
  it('pushes at most twice, writes the Secret once and rolls the Deployment once', async () => {
    const writesBefore = await metric('akvsync_output_writes_total', 'kind="Secret"');
    const { version } = h.emulator.setSecret('kv1', 'api-token', 'second-value');
    const event = newVersionEvent({
      id: randomUUID(), vault: 'kv1', resourceId: h.emulator.resourceId('kv1'), eventTime: new Date().toISOString(),
      created: { objectType: 'Secret', name: 'api-token', version, nbf: undefined, exp: undefined },
    });
    const log = invocationLogger(new InvocationContext({ logHandler: () => undefined }));
    const reports = await Promise.all(runtimes.map((r) => routeKeyVaultEvents(JSON.parse(JSON.stringify(event)), { ...r.routing, log })));

    const pushes = reports.reduce((n, r) => n + r.delivered.length, 0);
    expect(pushes).toBeGreaterThanOrEqual(1);
    expect(pushes).toBeLessThanOrEqual(2);
    expect(reports.reduce((n, r) => n + r.retryQueued.length + r.refused.length, 0)).toBe(0);
    await waitFor('Secret rotated', async () => (decode(await h.readSecret(ns, 'api-token'), 'token') === 'second-value' ? true : undefined));
    await waitFor('second ReplicaSet', async () => ((await replicaSetsOf(getTestStack().kubeConfig, ns, 'api')).length === 2 ? true : undefined));
    await h.agent.whenIdle();

    expect(await metric('akvsync_notifications_total', 'outcome="accepted"')).toBe(1);
    expect(await metric('akvsync_notifications_total', 'outcome="duplicate"')).toBe(pushes - 1);
    expect((await metric('akvsync_output_writes_total', 'kind="Secret"')) - writesBefore).toBe(1);
    expect(await metric('akvsync_workload_restarts_total', 'kind="Deployment"')).toBe(1);
    expect(await replicaSetsOf(getTestStack().kubeConfig, ns, 'api')).toHaveLength(2);

    const again = await routeKeyVaultEvents(JSON.parse(JSON.stringify(event)), { ...runtimes[0]!.routing, log });
    expect(again.duplicates).toBe(1);
  });
});
