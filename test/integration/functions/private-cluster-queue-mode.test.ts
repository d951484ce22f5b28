/**
 * A private cluster in queue mode, end to end (issue items 3 and 7): a rotation in the Key Vault emulator becomes an
 * Event Grid event to the real Function app on the local Functions host, which enqueues the signed envelope on the
 * cluster's Storage Queue (Azurite); the real agent, with its notify endpoint switched off (no inbound path) and its
 * fallback check out of reach (1 h), drains the queue, updates the Secret and rolls the opted-in Deployment. A
 * malformed queue message is poisoned with a Warning Event and a metric, and blocks nothing.
 */
import { QueueClient } from '@azure/storage-queue';
import { deliveryQueueName } from '../../../functions/cluster-queues.js';
import { createDeployment, reloadingDeployment, replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { startFunctionsHost, type FunctionsHost } from '../../../scripts/functions-host/host.js';
import { decode, startAgentHarness, waitFor, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';

const CLUSTER = 'private-e2e';
const queueName = deliveryQueueName(CLUSTER);
let h: AgentHarness;
let host: FunctionsHost;
let ns: string;

beforeAll(async () => {
  const storage = getTestStack().azurite.connectionString;
  h = await startAgentHarness({
    env: {
      AKVSYNC_NOTIFY_ENABLED: 'false',
      AKVSYNC_QUEUE_NAME: queueName,
      AKVSYNC_QUEUE_CONNECTION_STRING: storage,
      AKVSYNC_QUEUE_MAX_POLL_INTERVAL: '200ms',
      AKVSYNC_QUEUE_VISIBILITY_TIMEOUT: '2',
      AKVSYNC_QUEUE_MAX_DEQUEUE_COUNT: '3',
    },
  });
  ns = h.namespaces[0] as string;
  host = await startFunctionsHost({
    port: 0,
    env: {
      AKVSYNC_CLUSTERS: JSON.stringify([
        { name: CLUSTER, delivery: 'queue', keyId: h.signingKey.keyId, signingKey: Buffer.from(h.signingKey.key).toString('base64'), vaults: ['kv1'] },
      ]),
      AKVSYNC_STORAGE: storage,
      APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    },
    onLog: () => undefined,
  });
  h.emulator.subscribe(`${host.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`);
  h.emulator.setSecret('kv1', 'db-password', 'first-value');
  await h.createAkvs(ns, 'db-password', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } }, output: { secret: { name: 'db', dataKey: 'password' } } });
  await waitFor('initial Secret', async () => (decode(await h.readSecret(ns, 'db'), 'password') === 'first-value' ? true : undefined));
  await createDeployment(getTestStack().kubeConfig, reloadingDeployment({ namespace: ns, name: 'app', secretName: 'db', dataKey: 'password' }));
  await waitFor('first ReplicaSet', async () => ((await replicaSetsOf(getTestStack().kubeConfig, ns, 'app')).length === 1 ? true : undefined));
});
afterAll(async () => {
  await host?.close();
  await h?.stop();
});

describe('a private cluster in queue mode (Key Vault emulator → Functions host → Storage Queue → agent)', () => {
  it('gets a rotation into its Secret and rolls the Deployment, with no inbound endpoint', async () => {
    expect(h.agent.notifyUrl).toBe('');
    h.emulator.setSecret('kv1', 'db-password', 'second-value');
    await waitFor('Secret rotated through the queue', async () => (decode(await h.readSecret(ns, 'db'), 'password') === 'second-value' ? true : undefined), 60_000);
    await waitFor('second ReplicaSet', async () => ((await replicaSetsOf(getTestStack().kubeConfig, ns, 'app')).length === 2 ? true : undefined), 60_000);
    expect(h.logLines.some((l) => l.includes('notification accepted'))).toBe(true);
    const queue = new QueueClient(getTestStack().azurite.connectionString, queueName);
    await waitFor('queue drained', async () => ((await queue.getProperties()).approximateMessagesCount === 0 ? true : undefined));
    for (const line of h.logLines) expect(line).not.toContain('second-value');
  });

  it('poisons a malformed message with a Warning Event and a metric, and still takes the next rotation', async () => {
    const storage = getTestStack().azurite.connectionString;
    const queue = new QueueClient(storage, queueName);
    await queue.sendMessage(Buffer.from('{"v":1,"keyId":"x"}').toString('base64'));
    h.emulator.setSecret('kv1', 'db-password', 'third-value');
    await waitFor('Secret rotated after the bad message', async () => (decode(await h.readSecret(ns, 'db'), 'password') === 'third-value' ? true : undefined), 60_000);

    const poison = new QueueClient(storage, `${queueName}-poison`);
    const poisoned = await waitFor('poison queue', async () => ((await poison.exists()) ? (await poison.peekMessages()).peekedMessageItems[0] : undefined));
    expect(Buffer.from(poisoned.messageText, 'base64').toString('utf8')).toBe('{"v":1,"keyId":"x"}');
    const events = await waitFor('Warning Event', async () => {
      const list = await h.core.listNamespacedEvent({ namespace: ns });
      const found = list.items.filter((e) => e.reason === 'NotificationPoisoned' && e.type === 'Warning');
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.message).toContain(`of ${queueName} moved to ${queueName}-poison`);
    const metrics = await (await fetch(h.agent.metricsUrl)).text();
    expect(metrics).toMatch(/akvsync_queue_messages_poisoned_total\{reason="malformed"\} 1/);
  });
});
