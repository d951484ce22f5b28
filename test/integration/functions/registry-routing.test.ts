/**
 * Routing through the Table cluster registry (Azurite, a real HTTPS receiver standing in for an agent, in process
 * with a manual clock so "stale" needs no waiting): a registered push cluster gets a signed push at its registered
 * endpoint and a queue-mode one a message on its queue; configured clusters still work beside them; once the push
 * cluster is stale its notification waits in the retry path (its queue-mode peer keeps receiving) and is delivered
 * by the retry trigger's handler after it heartbeats again.
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { decodeQueueMessage } from '../../../core/notification/queue-envelope.js';
import { verifySignature } from '../../../core/notification/signature.js';
import { parseRegistration } from '../../../core/registry/registration.js';
import { invocationLogger } from '../../../functions/adapters/invocation-logger.js';
import { deliveryQueueName, REGISTERED_RETRY_QUEUE } from '../../../functions/cluster-queues.js';
import { parseFunctionsConfig } from '../../../functions/config.js';
import { forbiddenAddressReason } from '../../../core/net/forbidden-address.js';
import { handlePushRetry } from '../../../functions/push-retry.js';
import { routeKeyVaultEvents } from '../../../functions/route-key-vault-events.js';
import { createFunctionRuntime, type FunctionRuntime } from '../../../functions/runtime.js';
import { FIXTURE_TOPIC, FIXTURE_VAULT, eventGridItem } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BASE64, SIGNING_KEY_BYTES, clusterEntry } from '../../unit/functions/support/cluster-settings.js';
import { signedNotificationFrom, startHttpsReceiver, type HttpsReceiver } from '../../unit/functions/support/https-receiver.js';
import { ManualClock } from '../../unit/functions/support/manual-clock.js';
import { getTestStack } from '../support/stack-client.js';

const run = randomUUID().slice(0, 8);
const PUSH = `rpush-${run}`;
const QUEUE = `rqueue-${run}`;
const STATIC = `static-${run}`;
const VAULT = `kv-r-${run}`;
const KEY_ID = 'reg-key-1';
const clock = new ManualClock(Date.now());
const log = invocationLogger(new InvocationContext({ logHandler: () => undefined }));
let receiver: HttpsReceiver;
let runtime: FunctionRuntime;

const storage = (): string => getTestStack().azurite.connectionString;
const route = (event: unknown) => routeKeyVaultEvents(event, { ...runtime.routing, log });
const secretEvent = (name: string) => {
  const version = randomUUID().replaceAll('-', '');
  return eventGridItem({ envelope: { id: `evt-${version}`, subject: name, topic: FIXTURE_TOPIC.replace(FIXTURE_VAULT, VAULT) }, data: { Id: `https://${VAULT}.vault.azure.net/secrets/${name}/${version}`, Version: version, ObjectName: name, VaultName: VAULT } });
};
const pushesOf = (event: { id?: unknown }) => receiver.requests.filter((r) => r.body.includes(String(event.id)));
const register = (cluster: string, body: Record<string, unknown>) =>
  runtime.registry!.clusters.register(parseRegistration(JSON.stringify({ cluster, ...body }), cluster, forbiddenAddressReason), KEY_ID, clock.now());
const heartbeatPush = () => register(PUSH, { delivery: 'push', endpoint: receiver.url, caPem: receiver.ca.certPem, subscriptions: [{ vault: VAULT, objectType: 'Secret', objectName: 'db-*' }] });

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  receiver = await startHttpsReceiver();
  const settings = {
    AKVSYNC_CLUSTERS: JSON.stringify([clusterEntry({ name: STATIC, pushUrl: receiver.url, caPem: receiver.ca.certPem, vaults: [VAULT], objects: ['static-*'] })]),
    AKVSYNC_STORAGE: storage(),
    AKVSYNC_REGISTRY_KEYS: JSON.stringify([PUSH, QUEUE].map((name) => ({ name, keyId: KEY_ID, signingKey: SIGNING_KEY_BASE64 }))),
    AKVSYNC_REGISTRY_STALE_MINUTES: '10',
    AKVSYNC_RETRY_BASE_SECONDS: '1',
  };
  runtime = await createFunctionRuntime(parseFunctionsConfig(settings), { clock });
  await heartbeatPush();
  await register(QUEUE, { delivery: 'queue', subscriptions: [{ vault: VAULT, objectType: 'Secret', objectName: 'db-password' }] });
});
afterAll(async () => {
  await runtime.close();
  await receiver.close();
});

describe('routing through the cluster registry (Azurite)', () => {
  it('pushes to a registered push cluster, enqueues for a registered queue cluster, and leaves a configured one to its own routes', async () => {
    const event = secretEvent('db-password');
    const report = await route(event);
    expect(report.delivered.map((d) => d.cluster).sort()).toEqual([PUSH, QUEUE].sort());
    const [push] = pushesOf(event);
    expect(push).toBeDefined();
    expect(verifySignature(new Map([[KEY_ID, SIGNING_KEY_BYTES]]), signedNotificationFrom(push!), Math.floor(clock.now() / 1000), 300)).toEqual({ ok: true, keyId: KEY_ID });
    const queued = (await new QueueClient(storage(), deliveryQueueName(QUEUE)).receiveMessages({ numberOfMessages: 32 })).receivedMessageItems
      .map((m) => decodeQueueMessage(m.messageText)).filter((s) => s.body.includes(String(event.id)));
    expect(queued).toHaveLength(1);

    const configured = secretEvent('static-one');
    expect((await route(configured)).delivered.map((d) => d.cluster)).toEqual([STATIC]);
    expect(pushesOf(configured)).toHaveLength(1);
    expect((await route(secretEvent('unrelated'))).delivered).toEqual([]);
  });

  it('a stale push cluster is not pushed to: its notification waits in the retry path, its queue peer still receives, and it is delivered once the cluster is back', async () => {
    clock.advance(11 * 60_000);
    const event = secretEvent('db-password');
    const report = await route(event);
    expect(report.retryQueued.map((d) => d.cluster)).toEqual([PUSH]);
    expect(report.delivered.map((d) => d.cluster)).toEqual([QUEUE]);
    expect(pushesOf(event)).toHaveLength(0);

    await heartbeatPush(); // back
    const retryQueue = new QueueClient(storage(), REGISTERED_RETRY_QUEUE);
    const message = await eventually('the retry message', async () => (await retryQueue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 })).receivedMessageItems
      .find((m) => Buffer.from(m.messageText, 'base64').toString('utf8').includes(String(event.id))));
    const outcome = await handlePushRetry(Buffer.from(message.messageText, 'base64').toString('utf8'), { ...runtime.routing, retry: runtime.routing.retry!, log, poisonMalformed: async () => undefined });
    expect(outcome).toBe('delivered');
    expect(pushesOf(event)).toHaveLength(1);
    await retryQueue.deleteMessage(message.messageId, message.popReceipt);
  });

  it('a registered cluster that drops a subscription no longer receives it', async () => {
    await register(QUEUE, { delivery: 'queue', subscriptions: [] });
    const event = secretEvent('db-password');
    expect((await route(event)).delivered.map((d) => d.cluster)).toEqual([PUSH]);
  });

  it('the cleanup forgets registration nonces of days before yesterday and keeps recent ones', async () => {
    const nonces = runtime.registry!.nonces;
    const nowSeconds = Math.floor(clock.now() / 1000);
    const old = `old-${run}-AAAAAAAAAAAA`;
    const recent = `recent-${run}-AAAAAAAAA`;
    expect(await nonces.remember(PUSH, old, nowSeconds - 3 * 86_400, clock.now())).toBe(true);
    expect(await nonces.remember(PUSH, recent, nowSeconds, clock.now())).toBe(true);
    expect(await nonces.deleteExpired(clock.now())).toBeGreaterThanOrEqual(1);
    expect(await nonces.remember(PUSH, old, nowSeconds - 3 * 86_400, clock.now())).toBe(true); // forgotten
    expect(await nonces.remember(PUSH, recent, nowSeconds, clock.now())).toBe(false); // still a replay
  });
});
