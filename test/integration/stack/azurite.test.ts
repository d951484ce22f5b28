/** Azurite from the local stack speaks the real Storage Queue and Table protocols of the Azure SDKs. */
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { getTestStack } from '../support/stack-client.js';

const { azurite } = getTestStack();
const unique = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

describe('Azurite', () => {
  it('queue round trip: create, send, receive, delete', async () => {
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(unique('stack-test-'));
    await queue.create();

    await queue.sendMessage(JSON.stringify({ hello: 'queue' }));
    const received = await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 });
    const message = received.receivedMessageItems[0]!;
    await queue.deleteMessage(message.messageId, message.popReceipt);

    expect(JSON.parse(message.messageText)).toEqual({ hello: 'queue' });
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('table round trip: create, upsert, get, query', async () => {
    const table = TableClient.fromConnectionString(azurite.connectionString, unique('stacktest'), { allowInsecureConnection: true });
    await table.createTable();

    await table.upsertEntity({ partitionKey: 'vault-a', rowKey: 'secret-1', clusters: 'c1,c2' });
    await table.upsertEntity({ partitionKey: 'vault-a', rowKey: 'secret-1', clusters: 'c1,c2,c3' }, 'Replace');
    await table.upsertEntity({ partitionKey: 'vault-b', rowKey: 'secret-1', clusters: 'c9' });

    const entity = await table.getEntity<{ clusters: string }>('vault-a', 'secret-1');
    expect(entity.clusters).toBe('c1,c2,c3');
    const rows: string[] = [];
    for await (const row of table.listEntities<{ clusters: string }>({ queryOptions: { filter: "PartitionKey eq 'vault-a'" } })) rows.push(`${row.rowKey}=${row.clusters}`);
    expect(rows).toEqual(['secret-1=c1,c2,c3']);
  });
});
