/**
 * Queue delivery on the Function side (issue item 3), with the real Function app on the local Functions host and
 * Azurite: a queue-mode cluster's notification is ADR 0001's signed envelope on the cluster's own queue, verified
 * with no timestamp window; it is deduplicated like a push; a push cluster in the same app is still pushed to.
 */
import { QueueClient } from '@azure/storage-queue';
import { decodeQueueMessage } from '../../../core/notification/queue-envelope.js';
import { parseNotificationBody } from '../../../core/notification/parse-notification.js';
import { verifySignature } from '../../../core/notification/signature.js';
import { deliveryQueueName } from '../../../functions/cluster-queues.js';
import { startFunctionsHost, type FunctionsHost } from '../../../scripts/functions-host/host.js';
import { FIXTURE_VAULT, eventGridItem } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS, clusterEntry } from '../../unit/functions/support/cluster-settings.js';
import { startHttpsReceiver, type HttpsReceiver } from '../../unit/functions/support/https-receiver.js';
import { getTestStack } from '../support/stack-client.js';

let receiver: HttpsReceiver;
let host: FunctionsHost;
const storage = () => getTestStack().azurite.connectionString;

beforeAll(async () => {
  receiver = await startHttpsReceiver();
  host = await startFunctionsHost({
    port: 0,
    env: {
      AKVSYNC_CLUSTERS: JSON.stringify([
        clusterEntry({ name: 'private-q', keyId: 'private-1', delivery: 'queue', pushUrl: undefined, vaults: [FIXTURE_VAULT] }),
        clusterEntry({ name: 'public-p', keyId: 'public-1', pushUrl: receiver.url, caPem: receiver.ca.certPem, vaults: [FIXTURE_VAULT] }),
      ]),
      AKVSYNC_STORAGE: storage(),
      APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    },
    onLog: () => undefined,
  });
});
afterAll(async () => {
  await host.close();
  await receiver.close();
});

const deliver = (body: unknown) =>
  fetch(`${host.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`, { method: 'POST', headers: { 'aeg-event-type': 'Notification' }, body: JSON.stringify(body) });
const secretVersion = (id: string, version: string) =>
  eventGridItem({ envelope: { id }, data: { Id: `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${version}`, Version: version } });

describe('queue delivery (Function side, Azurite)', () => {
  it('enqueues the signed envelope on the cluster queue, once, and pushes to the push cluster', async () => {
    const event = secretVersion('evt-queued', 'dd44dd44dd44dd44dd44dd44dd44dd44');
    expect((await deliver(event)).status).toBe(200);
    expect((await deliver(event)).status).toBe(200); // Event Grid redelivers: deduplicated

    const queue = new QueueClient(storage(), deliveryQueueName('private-q'));
    const { receivedMessageItems: messages } = await queue.receiveMessages({ numberOfMessages: 32 });
    const ours = messages.filter((m) => decodeQueueMessage(m.messageText).body.includes('evt-queued'));
    expect(ours).toHaveLength(1);
    const signed = decodeQueueMessage(ours[0]!.messageText);
    expect(signed.keyId).toBe('private-1');
    expect(verifySignature(new Map([['private-1', SIGNING_KEY_BYTES]]), signed, signed.timestamp + 86_400 * 3, undefined)).toEqual({ ok: true, keyId: 'private-1' });
    expect(parseNotificationBody(signed.body)).toMatchObject({ eventId: 'evt-queued', version: 'dd44dd44dd44dd44dd44dd44dd44dd44' });
    for (const leak of SIGNING_KEY_RENDERINGS) expect(ours[0]!.messageText).not.toContain(leak);

    expect(receiver.requests.filter((r) => r.body.includes('evt-queued'))).toHaveLength(1);
  });
});
