/**
 * The registration replay guard: each (cluster, nonce) is remembered with a conditional insert into the registry
 * table, in a partition per UTC day of the request's signed timestamp — a replay carries the same timestamp, so it
 * lands in the same partition and collides (409). A request outside the timestamp window is refused before it gets
 * here, so a partition older than the window's day is never consulted again and may be deleted whole.
 */
import type { TableClient } from '@azure/data-tables';
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
}
