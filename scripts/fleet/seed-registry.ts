/**
 * Fills the cluster registry table with many registrations at once, for the fleet benchmark: the very rows
 * `TableClusterRegistry.register` writes (forward rows from core/registry/registry-rows.ts, the reverse index, the
 * cluster row from the adapter's own `clusterRow`), but grouped by partition into batch transactions of up to 100
 * rows, so 10,000 clusters take seconds instead of one registration round trip each. Queue-mode clusters get their
 * queue, as registration creates it. The small-N test checks that the rows equal what `register` writes.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { forEachLimited } from '../../core/concurrency/for-each-limited.js';
import type { Registration } from '../../core/registry/registration.js';
import { forwardRows, reversePartition, subscriptionHash } from '../../core/registry/registry-rows.js';
import { clusterRow } from '../../functions/adapters/table-cluster-registry.js';
import { deliveryQueueName } from '../../functions/cluster-queues.js';
import type { StorageClients } from '../../functions/storage-clients.js';

const BATCH = 100;

export interface SeededRegistry {
  readonly clusters: number;
  readonly rows: number;
  readonly batches: number;
  readonly queues: number;
}

export async function seedRegistry(
  storage: StorageClients,
  table: TableClient,
  registrations: readonly Registration[],
  options: { keyIdOf: (cluster: string) => string; nowMs: number; concurrency?: number },
): Promise<SeededRegistry> {
  await table.createTable().catch((error: unknown) => {
    if ((error as { statusCode?: unknown }).statusCode !== 409) throw error;
  });
  const byPartition = new Map<string, TransactionAction[]>();
  const add = (pk: string, action: TransactionAction): void => {
    const list = byPartition.get(pk) ?? [];
    list.push(action);
    byPartition.set(pk, list);
  };
  for (const registration of registrations) {
    const cluster = registration.cluster;
    const rows = forwardRows(registration.subscriptions);
    for (const [pk, patterns] of rows) {
      add(pk, ['upsert', { partitionKey: pk, rowKey: cluster, Patterns: patterns }, 'Replace']);
      add(reversePartition(cluster), ['upsert', { partitionKey: reversePartition(cluster), rowKey: pk, Patterns: patterns }, 'Replace']);
    }
    const row = clusterRow(registration, options.keyIdOf(cluster), subscriptionHash(rows), options.nowMs);
    add(row.partitionKey, ['upsert', { ...row }, 'Replace']);
  }
  const batches: TransactionAction[][] = [];
  for (const actions of byPartition.values()) for (let i = 0; i < actions.length; i += BATCH) batches.push(actions.slice(i, i + BATCH));
  const concurrency = options.concurrency ?? 16;
  await forEachLimited(batches, concurrency, async (batch) => void (await table.submitTransaction(batch)));
  const queued = registrations.filter((r) => r.delivery === 'queue');
  await forEachLimited(queued, concurrency, async (r) => void (await storage.queue(deliveryQueueName(r.cluster)).createIfNotExists()));
  return { clusters: registrations.length, rows: batches.reduce((n, b) => n + b.length, 0), batches: batches.length, queues: queued.length };
}
