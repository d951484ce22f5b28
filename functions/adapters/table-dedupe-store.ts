/**
 * Dedupe marks in Azure Table Storage, shared by every Function instance (the in-memory store is per instance).
 * Layout: PartitionKey = the UTC day the mark was written (`2026-12-01`), RowKey = SHA-256 (hex) of the dedupe key
 * (the readable key is kept in `Key`; hashing keeps RowKeys short and free of characters Table keys forbid or
 * mishandle, such as `%`). A mark is a conditional insert (`createEntity`, 409 when it exists): it is written only
 * after the delivery or enqueue succeeded, so two instances handling one event deliver it at most twice, never zero
 * times (the agent absorbs the second by event id). `has` is one point read per day the TTL spans (two for 24 h),
 * in parallel. Expiry is by partition: `deleteExpired` (run by the dedupeCleanup timer) removes every partition older
 * than the TTL, in batches of 100 per partition; `has` also ignores a mark older than the TTL.
 */
import { createHash } from 'node:crypto';
import type { TableClient} from '@azure/data-tables';
import { type TransactionAction } from '@azure/data-tables';
import { TransientError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { DedupeStore } from '../ports/dedupe-store.js';

export const DEFAULT_TABLE_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

interface MarkEntity {
  partitionKey: string;
  rowKey: string;
  Key: string;
  MarkedAtMs: number;
}

export interface TableDedupeStoreOptions {
  readonly table: TableClient;
  readonly clock: Clock;
  readonly ttlMs?: number;
}

export class TableDedupeStore implements DedupeStore {
  readonly #table: TableClient;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(options: TableDedupeStoreOptions) {
    this.#table = options.table;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TABLE_DEDUPE_TTL_MS;
    if (!(this.#ttlMs > 0 && this.#ttlMs <= 7 * DAY_MS)) throw new RangeError('TableDedupeStore: ttlMs must be positive and at most 7 days');
  }

  /** Creates the table when it does not exist (once, at start-up). */
  async ensureTable(): Promise<void> {
    await storage('create the dedupe table', () => this.#table.createTable());
  }

  async has(key: string): Promise<boolean> {
    const now = this.#clock.now();
    const rowKey = rowKeyOf(key);
    const found = await Promise.all(
      daysBetween(now - this.#ttlMs, now).map((day) =>
        storage('read a dedupe mark', () => this.#table.getEntity<MarkEntity>(day, rowKey, { queryOptions: { select: ['MarkedAtMs'] } }).then(
          (e) => now - Number(e.MarkedAtMs) <= this.#ttlMs,
          (error: unknown) => {
            if (statusOf(error) === 404) return false;
            throw error;
          },
        )),
      ),
    );
    return found.includes(true);
  }

  async mark(key: string): Promise<void> {
    const now = this.#clock.now();
    const entity: MarkEntity = { partitionKey: dayOf(now), rowKey: rowKeyOf(key), Key: key, MarkedAtMs: now };
    await storage('write a dedupe mark', () => this.#table.createEntity(entity).then(
      () => undefined,
      (error: unknown) => {
        if (statusOf(error) !== 409) throw error; // another instance marked it first: the same outcome
      },
    ));
  }

  /** Deletes every mark in partitions wholly older than the TTL; returns how many. */
  async deleteExpired(): Promise<number> {
    const keepFrom = dayOf(this.#clock.now() - this.#ttlMs);
    const byPartition = new Map<string, string[]>();
    await storage('list expired dedupe marks', async () => {
      const rows = this.#table.listEntities<{ partitionKey: string; rowKey: string }>({
        queryOptions: { filter: `PartitionKey lt '${keepFrom}'`, select: ['PartitionKey', 'RowKey'] },
      });
      for await (const row of rows) {
        const list = byPartition.get(row.partitionKey) ?? [];
        list.push(row.rowKey);
        byPartition.set(row.partitionKey, list);
      }
    });
    let deleted = 0;
    for (const [partition, rowKeys] of byPartition) {
      for (let i = 0; i < rowKeys.length; i += 100) {
        const actions: TransactionAction[] = rowKeys.slice(i, i + 100).map((rowKey) => ['delete', { partitionKey: partition, rowKey }]);
        await storage('delete expired dedupe marks', () => this.#table.submitTransaction(actions));
        deleted += actions.length;
      }
    }
    return deleted;
  }
}

function rowKeyOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC days from `fromMs` to `toMs`, newest first. */
function daysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let t = toMs; dayOf(t) >= dayOf(fromMs); t -= DAY_MS) days.push(dayOf(t));
  return days;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Storage failures become TransientError (Event Grid or the queue retries); 4xx other than 404/409 stay as they are. */
async function storage<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 && what === 'create the dedupe table') return undefined as T;
    if (status === undefined || status === 408 || status === 429 || status >= 500) {
      throw new TransientError('StorageUnavailable', `Table Storage: could not ${what}: ${status ?? (error instanceof Error ? error.message : String(error))}`, { cause: error });
    }
    throw error;
  }
}
