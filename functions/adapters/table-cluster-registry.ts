/**
 * The cluster registry in Azure Table Storage (layout: core/registry/registry-rows.ts). `register` writes a
 * cluster's registration or heartbeat: when its subscription set is unchanged (same hash) it writes the cluster row
 * only; otherwise it reads the cluster's reverse index, writes the forward rows that are new or changed and deletes
 * the ones no longer wanted, then stores the new hash last — so a write cut short is completed by the next
 * heartbeat. Routing asks `clustersFor(event)`: two single-partition reads, the event's object and its vault's globs.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { forEachLimited } from '../../core/concurrency/for-each-limited.js';
import { TransientError } from '../../core/errors.js';
import type { KeyVaultEvent } from '../../core/events/key-vault-event.js';
import type { DeliveryMode, Registration } from '../../core/registry/registration.js';
import {
  CLUSTER_PARTITION, diffRows, forwardRows, globPartition, globRowMatches, isStale, objectPartition, reversePartition, subscriptionHash,
} from '../../core/registry/registry-rows.js';
import { deliveryQueueName } from '../cluster-queues.js';

export interface ClusterRow {
  partitionKey: string;
  rowKey: string;
  Delivery: DeliveryMode;
  Endpoint?: string;
  CaPem?: string;
  KeyId: string;
  SubscriptionHash: string;
  Subscriptions: number;
  LastHeartbeatMs: number;
}

export interface RegisteredCluster {
  readonly name: string;
  readonly delivery: DeliveryMode;
  readonly endpoint: string | undefined;
  readonly caPem: string | undefined;
  readonly queueName: string;
  readonly lastHeartbeatMs: number;
  readonly stale: boolean;
}

export interface RegisterOutcome {
  /** Forward rows written and deleted (0 and 0 for a heartbeat with an unchanged set). */
  readonly written: number;
  readonly deleted: number;
  readonly subscriptions: number;
}

const WRITE_CONCURRENCY = 16;

export class TableClusterRegistry {
  readonly #table: TableClient;
  readonly #staleAfterMs: number;

  constructor(table: TableClient, staleAfterMs: number) {
    this.#table = table;
    this.#staleAfterMs = staleAfterMs;
  }

  async ensureTable(): Promise<void> {
    await storage('create the registry table', () => this.#table.createTable().catch((e: unknown) => {
      if (statusOf(e) !== 409) throw e;
    }));
  }

  async register(registration: Registration, keyId: string, nowMs: number): Promise<RegisterOutcome> {
    const cluster = registration.cluster;
    const wanted = forwardRows(registration.subscriptions);
    const hash = subscriptionHash(wanted);
    const current = await this.#clusterRow(cluster);
    let written = 0;
    let deleted = 0;
    if (current?.SubscriptionHash !== hash) {
      const diff = diffRows(await this.#storedRows(cluster), wanted);
      await forEachLimited([...diff.upsert], WRITE_CONCURRENCY, ([pk, patterns]) =>
        storage('write a subscription row', () => this.#table.upsertEntity({ partitionKey: pk, rowKey: cluster, Patterns: patterns }, 'Replace')).then(() => undefined));
      await forEachLimited(diff.remove, WRITE_CONCURRENCY, (pk) => storage('delete a subscription row', () => this.#delete(pk, cluster)));
      const reverse: TransactionAction[] = [
        ...[...diff.upsert].map(([pk, patterns]): TransactionAction => ['upsert', { partitionKey: reversePartition(cluster), rowKey: pk, Patterns: patterns }, 'Replace']),
        ...diff.remove.map((pk): TransactionAction => ['delete', { partitionKey: reversePartition(cluster), rowKey: pk }]),
      ];
      for (let i = 0; i < reverse.length; i += 100) {
        await storage('update the reverse index', () => this.#table.submitTransaction(reverse.slice(i, i + 100)));
      }
      written = diff.upsert.size;
      deleted = diff.remove.length;
    }
    await storage('write the cluster row', () => this.#table.upsertEntity(clusterRow(registration, keyId, hash, nowMs), 'Replace'));
    return { written, deleted, subscriptions: registration.subscriptions.length };
  }

  /** The registered cluster, with its staleness at `nowMs`; undefined when it never registered. */
  async cluster(name: string, nowMs: number): Promise<RegisteredCluster | undefined> {
    const row = await this.#clusterRow(name);
    if (!row) return undefined;
    const lastHeartbeatMs = Number(row.LastHeartbeatMs);
    return Object.freeze({
      name, delivery: row.Delivery, endpoint: row.Endpoint, caPem: row.CaPem, queueName: deliveryQueueName(name), lastHeartbeatMs, stale: isStale(lastHeartbeatMs, nowMs, this.#staleAfterMs),
    });
  }

  /** Registered clusters subscribed to the event's object, exactly or by a glob of its vault (sorted, no duplicates). */
  async clustersFor(e: KeyVaultEvent): Promise<string[]> {
    const [exact, globs] = await Promise.all([
      this.#partition(objectPartition(e.vault, e.objectType, e.objectName), ['RowKey']),
      this.#partition(globPartition(e.vault), ['RowKey', 'Patterns']),
    ]);
    const matching = globs.filter((g) => globRowMatches(String(g.Patterns ?? ''), e.objectType, e.objectName));
    return [...new Set([...exact, ...matching].map((r) => r.rowKey))].sort();
  }

  async #storedRows(cluster: string): Promise<Map<string, string>> {
    const rows = await this.#partition(reversePartition(cluster), ['RowKey', 'Patterns']);
    return new Map(rows.map((r) => [r.rowKey, String(r.Patterns ?? '')]));
  }

  async #partition(pk: string, select: string[]): Promise<{ rowKey: string; Patterns?: unknown }[]> {
    return storage('read registry rows', async () => {
      const rows: { rowKey: string; Patterns?: unknown }[] = [];
      const filter = `PartitionKey eq '${pk.replaceAll("'", "''")}'`;
      for await (const r of this.#table.listEntities<{ Patterns?: unknown }>({ queryOptions: { filter, select } })) rows.push({ rowKey: r.rowKey ?? '', Patterns: r.Patterns });
      return rows;
    });
  }

  #clusterRow(name: string): Promise<ClusterRow | undefined> {
    return storage('read the cluster row', () => this.#table.getEntity<ClusterRow>(CLUSTER_PARTITION, name).then(
      (row) => row as ClusterRow,
      (error: unknown) => {
        if (statusOf(error) === 404) return undefined;
        throw error;
      },
    ));
  }

  async #delete(pk: string, rk: string): Promise<void> {
    await this.#table.deleteEntity(pk, rk).catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    });
  }
}

/** The `cluster` partition's row of a registration whose forward rows hash to `subscriptionHash`. */
export function clusterRow(registration: Registration, keyId: string, subscriptionHash: string, nowMs: number): ClusterRow {
  return {
    partitionKey: CLUSTER_PARTITION, rowKey: registration.cluster, Delivery: registration.delivery, KeyId: keyId, SubscriptionHash: subscriptionHash, Subscriptions: registration.subscriptions.length, LastHeartbeatMs: nowMs,
    ...(registration.endpoint ? { Endpoint: registration.endpoint } : {}),
    ...(registration.caPem ? { CaPem: registration.caPem } : {}),
  };
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Storage failures become TransientError (the caller answers 503 / Event Grid retries); other 4xx stay as they are. */
export async function storage<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (error) {
    const status = statusOf(error);
    if (status === undefined || status === 408 || status === 429 || status >= 500) {
      throw new TransientError('StorageUnavailable', `Table Storage: could not ${what}: ${status ?? (error instanceof Error ? error.message : String(error))}`, { cause: error });
    }
    throw error;
  }
}
