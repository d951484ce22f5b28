/**
 * The registration replay guard: each (cluster, nonce) is remembered with a conditional insert into the registry
 * table, in a partition per UTC day of the request's signed timestamp — a replay carries the same timestamp, so it
 * lands in the same partition and collides (409). A request outside the timestamp window is refused before it gets
 * here, so a partition older than the window's day is never consulted again: `deleteExpired` (run by the
 * dedupeCleanup timer) deletes every nonce partition older than yesterday.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { statusOf, storage } from './table-cluster-registry.js';

export const noncePartition = (timestampSeconds: number): string => `nonce.${new Date(timestampSeconds * 1000).toISOString().slice(0, 10)}`;

export class TableNonceStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  /** True when this nonce is new for the cluster (and is now remembered); false for a replay. */
  remember(cluster: string, nonce: string, timestampSeconds: number, nowMs: number): Promise<boolean> {
    const entity = { partitionKey: noncePartition(timestampSeconds), rowKey: `${cluster}.${nonce}`, SeenAtMs: nowMs };
    return storage('remember a registration nonce', () => this.#table.createEntity(entity).then(
      () => true,
      (error: unknown) => {
        if (statusOf(error) === 409) return false;
        throw error;
      },
    ));
  }

  /** Deletes the nonces of every day before yesterday (a range over `nonce.` partitions only); returns how many. */
  async deleteExpired(nowMs: number): Promise<number> {
    const keepFrom = noncePartition(Math.floor(nowMs / 1000) - 24 * 3600);
    const byPartition = new Map<string, string[]>();
    await storage('list expired nonces', async () => {
      const filter = `PartitionKey ge 'nonce.' and PartitionKey lt '${keepFrom}'`;
      for await (const row of this.#table.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
        const pk = String(row.partitionKey);
        byPartition.set(pk, [...(byPartition.get(pk) ?? []), String(row.rowKey)]);
      }
    });
    let deleted = 0;
    for (const [partition, rowKeys] of byPartition) {
      for (let i = 0; i < rowKeys.length; i += 100) {
        const actions: TransactionAction[] = rowKeys.slice(i, i + 100).map((rowKey) => ['delete', { partitionKey: partition, rowKey }]);
        await storage('delete expired nonces', () => this.#table.submitTransaction(actions));
        deleted += actions.length;
      }
    }
    return deleted;
  }
}
