/**
 * Storage clients from the AKVSYNC_STORAGE connection string. Plain HTTP is allowed only for a connection string
 * that says so (Azurite on loopback); in Azure the endpoints are HTTPS.
 */
import { TableClient } from '@azure/data-tables';
import type { QueueClient} from '@azure/storage-queue';
import { QueueServiceClient } from '@azure/storage-queue';

export const DEDUPE_TABLE = 'akvsyncdedupe';

export interface StorageClients {
  table(name: string): TableClient;
  queue(name: string): QueueClient;
}

export function storageClients(connectionString: string): StorageClients {
  const insecure = /(^|;)\s*DefaultEndpointsProtocol\s*=\s*http\s*(;|$)|=\s*http:\/\//i.test(connectionString);
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  return {
    table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: insecure }),
    queue: (name) => queues.getQueueClient(name),
  };
}
