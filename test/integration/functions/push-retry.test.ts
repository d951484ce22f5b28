/**
 * Push failures never lose a change (issue item 4), with the real Function app on the local Functions host, Azurite
 * and a real HTTPS receiver standing in for the agent: while the agent is down, the Event Grid invocation is
 * acknowledged once the push waits in the cluster's retry queue; the retry trigger pushes again (signed afresh)
 * when the agent is back; a notification that keeps failing lands in the poison queue with an alert. The retry
 * handler's telemetry is checked in-process against the same Azurite queues.
 */
import { InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { PUSH_TIMESTAMP_WINDOW_SECONDS } from '../../../core/notification/notification.js';
import { verifySignature } from '../../../core/notification/signature.js';
import { invocationLogger } from '../../../functions/adapters/invocation-logger.js';
import { poisonQueueName, retryQueueName } from '../../../functions/cluster-queues.js';
import { parseFunctionsConfig } from '../../../functions/config.js';
import { handlePushRetry } from '../../../functions/push-retry.js';
import { routeKeyVaultEvents } from '../../../functions/route-key-vault-events.js';
import { createFunctionRuntime } from '../../../functions/runtime.js';
import { startFunctionsHost, type FunctionsHost, type HostLogEntry } from '../../../scripts/functions-host/host.js';
import { FIXTURE_VAULT, eventGridItem } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BYTES, clusterEntry } from '../../unit/functions/support/cluster-settings.js';
import { signedNotificationFrom, startHttpsReceiver, type HttpsReceiver } from '../../unit/functions/support/https-receiver.js';
import { InMemoryTelemetry } from '../../unit/functions/support/in-memory-telemetry.js';
import { getTestStack } from '../support/stack-client.js';

const storage = () => getTestStack().azurite.connectionString;
let receiver: HttpsReceiver;
let port: number;
let host: FunctionsHost | undefined;
const logs: HostLogEntry[] = [];

const secretVersion = (id: string, version: string) =>
  eventGridItem({ envelope: { id }, data: { Id: `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${version}`, Version: version } });

function settings(cluster: string, attempts: number): Record<string, string> {
  return {
    AKVSYNC_CLUSTERS: JSON.stringify([clusterEntry({ name: cluster, keyId: 'k-1', pushUrl: receiver.url, caPem: receiver.ca.certPem, vaults: [FIXTURE_VAULT] })]),
    AKVSYNC_STORAGE: storage(),
    AKVSYNC_PUSH_TIMEOUT_MS: '5000',
    AKVSYNC_RETRY_MAX_ATTEMPTS: String(attempts),
    AKVSYNC_RETRY_BASE_SECONDS: '1',
    AKVSYNC_RETRY_MAX_SECONDS: '1',
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
  };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deliver = (h: FunctionsHost, body: unknown) =>
  fetch(`${h.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`, { method: 'POST', headers: { 'aeg-event-type': 'Notification' }, body: JSON.stringify(body) });

beforeAll(async () => {
  receiver = await startHttpsReceiver();
  port = Number(new URL(receiver.url).port);
});
afterEach(async () => {
  await host?.close();
  host = undefined;
});
afterAll(() => receiver.close());

describe('push failures on the local Functions host (Azurite)', () => {
  it('acknowledges while the agent is down, and the retry trigger delivers once it is back', async () => {
    host = await startFunctionsHost({ port: 0, env: settings('retry-alpha', 8), queues: { maxPollingInterval: '00:00:00.200' }, onLog: (e) => logs.push(e) });
    expect(host.functions).toEqual(expect.arrayContaining(['keyVaultEvents', 'dedupeCleanup', expect.stringMatching(/^pushRetry-retry-alpha-/)]));
    const ca = receiver.ca;
    await receiver.close(); // the agent is down: connections are refused

    const res = await deliver(host, secretVersion('evt-while-down', 'aa11aa11aa11aa11aa11aa11aa11aa11'));
    expect(res.status).toBe(200);
    const retryQueue = new QueueClient(storage(), retryQueueName('retry-alpha'));
    expect((await retryQueue.getProperties()).approximateMessagesCount).toBe(1);

    await new Promise((r) => setTimeout(r, 2500)); // a retry or two fail while it is still down
    receiver = await startHttpsReceiver(ca, port); // back, on the same URL
    const push = await eventually('the retried push', () => receiver.requests.find((r) => r.body.includes('evt-while-down')));
    const signed = signedNotificationFrom(push);
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(verifySignature(new Map([['k-1', SIGNING_KEY_BYTES]]), signed, nowSeconds, PUSH_TIMESTAMP_WINDOW_SECONDS)).toEqual({ ok: true, keyId: 'k-1' });
    await eventually('the retry queue to drain', async () => ((await retryQueue.getProperties()).approximateMessagesCount === 0 ? true : undefined));
    expect(receiver.requests.filter((r) => r.body.includes('evt-while-down'))).toHaveLength(1);
  });

  it('moves a notification that keeps failing to the poison queue after the retry budget, with an error log', async () => {
    host = await startFunctionsHost({ port: 0, env: settings('retry-beta', 3), queues: { maxPollingInterval: '00:00:00.200' }, onLog: (e) => logs.push(e) });
    receiver.respond = () => ({ status: 503 });
    expect((await deliver(host, secretVersion('evt-never', 'bb22bb22bb22bb22bb22bb22bb22bb22'))).status).toBe(200);
    const poison = new QueueClient(storage(), poisonQueueName(retryQueueName('retry-beta')));
    const poisoned = await eventually('the poison queue', async () => ((await poison.exists()) ? (await poison.peekMessages()).peekedMessageItems[0] : undefined));
    const message = JSON.parse(Buffer.from(poisoned.messageText, 'base64').toString('utf8')) as { cluster: string; attempts: number; lastError: string; body: string };
    expect(message).toMatchObject({ cluster: 'retry-beta', attempts: 3, lastError: 'gave up after 3 attempts: PushHttp503' });
    expect(JSON.parse(message.body)).toMatchObject({ eventId: 'evt-never' });
    expect(receiver.requests.filter((r) => r.body.includes('evt-never'))).toHaveLength(3);
    // The app logs after the poison message is stored, and its log lines reach the host asynchronously.
    await eventually('the poison log line', async () => logs.find((l) => l.level === 'error' && l.message.includes('notification moved to the poison queue')));
    receiver.respond = () => ({ status: 202 });
  });

  it('raises the retry and poison telemetry from real queue messages (in process)', async () => {
    const telemetry = new InMemoryTelemetry();
    const runtime = await createFunctionRuntime(parseFunctionsConfig(settings('retry-gamma', 2)), { telemetry });
    const log = invocationLogger(new InvocationContext({ logHandler: () => undefined }));
    try {
      receiver.respond = () => ({ status: 401, body: JSON.stringify({ error: 'unauthorized', reason: 'unknown-key' }) });
      await routeKeyVaultEvents(secretVersion('evt-gamma', 'cc33cc33cc33cc33cc33cc33cc33cc33'), { ...runtime.routing, log });
      const queue = new QueueClient(storage(), retryQueueName('retry-gamma'));
      const message = await eventually('the retry message', async () => (await queue.receiveMessages({ visibilityTimeout: 30 })).receivedMessageItems[0]);
      await handlePushRetry(Buffer.from(message.messageText, 'base64').toString('utf8'), { ...runtime.routing, retry: runtime.routing.retry!, log, poisonMalformed: async () => undefined });
      expect(telemetry.alerts.map((a) => a.name)).toEqual(['akvsync.delivery.operatorAction', 'akvsync.delivery.operatorAction', 'akvsync.delivery.poisoned']);
      expect(telemetry.total('retryQueued')).toBe(1);
      expect(telemetry.total('poisoned')).toBe(1);
    } finally {
      receiver.respond = () => ({ status: 202 });
      await runtime.close();
    }
  });
});
