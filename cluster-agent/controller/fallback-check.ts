import type { Logger } from 'pino';
import type { VaultObjectProperties, VaultObjectStore } from '../../core/ports/vault-object-store.js';
import { VAULT_OBJECT_TYPES } from '../../core/sync/object-types.js';
import type { AgentMetrics } from '../metrics.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { AkvsIndex } from './akvs-index.js';
import { describeFailure } from '../error-policy.js';
import { objectKey } from './object-key.js';
import type { ReadStates } from './read-state.js';
import { listVault } from './vault-listing.js';
import type { VaultListing } from './vault-listing.js';

interface Enqueue {
  add(key: string): void;
}

export interface FallbackCheckOptions {
  readonly store: VaultObjectStore;
  readonly index: AkvsIndex;
  readonly queue: Enqueue;
  readonly readStates: ReadStates;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics | undefined;
  readonly intervalMs: number;
  /** ±fraction of the interval, so a fleet of agents does not check in step. Default 0.1. */
  readonly jitter?: number;
  /** [0, 1); injected so the jitter is testable. */
  readonly random?: () => number;
}

export interface FallbackCheckReport {
  readonly vaultsListed: number;
  readonly vaultsFailed: number;
  readonly enqueued: readonly string[];
}

/**
 * The periodic safety net for lost events (and for disable/delete, which emit none): list each referenced vault's
 * secret properties (25 per page, so ~N/25 calls) and enqueue only the objects whose `updatedOn`, enabled flag or
 * presence differ from what the agent last read. A vault that fails to list is retried at the next check (the SDK
 * already honours Retry-After within a check).
 */
export class FallbackCheck {
  private cancel: (() => void) | undefined;
  private stopped = false;
  private running: Promise<FallbackCheckReport> | undefined;

  constructor(private readonly options: FallbackCheckOptions) {}

  start(): void {
    this.stopped = false;
    this.scheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One check now (also what the timer runs). */
  runOnce(): Promise<FallbackCheckReport> {
    this.running ??= this.check().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The next delay: interval ± jitter. */
  nextDelayMs(): number {
    const { intervalMs, jitter = 0.1, random = Math.random } = this.options;
    return Math.max(1, Math.round(intervalMs * (1 + jitter * (2 * random() - 1))));
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.cancel = this.options.scheduler.schedule(this.nextDelayMs(), () => {
      this.runOnce()
        .catch((error: unknown) => this.options.logger.warn({ code: describeFailure(error).code }, 'fallback check failed'))
        .finally(() => this.scheduleNext());
    });
  }

  private async check(): Promise<FallbackCheckReport> {
    const { store, index, queue, readStates, logger, metrics } = this.options;
    const enqueued: string[] = [];
    let listed = 0;
    let failed = 0;
    for (const [vault, refs] of index.referencedObjects()) {
      if (!refs.some((ref) => VAULT_OBJECT_TYPES[ref.objectType].listedAs !== undefined)) continue;
      let listing: VaultListing;
      try {
        listing = await listVault(store, vault, refs);
      } catch (error) {
        failed++;
        metrics?.fallbackChecks.inc({ outcome: 'vault-failed' });
        logger.warn({ vault, code: describeFailure(error).code }, 'fallback check could not list vault');
        continue;
      }
      listed++;
      for (const ref of refs) {
        const now = listing.propertiesOf(ref);
        if (now === 'unlisted') continue;
        const key = objectKey(ref);
        if (moved(readStates.get(key), now)) {
          enqueued.push(key);
          queue.add(key);
        }
      }
    }
    metrics?.fallbackChecks.inc({ outcome: 'completed' });
    if (enqueued.length > 0) metrics?.fallbackChecks.inc({ outcome: 'moved' }, enqueued.length);
    logger.info({ vaultsListed: listed, vaultsFailed: failed, enqueued: enqueued.length }, 'fallback check done');
    return { vaultsListed: listed, vaultsFailed: failed, enqueued };
  }
}

function moved(last: ReturnType<ReadStates['get']>, now: VaultObjectProperties | undefined): boolean {
  if (!last) return true;
  if (!now) return last.present;
  if (!last.present) return true;
  if (!last.enabled) return now.enabled;
  return !now.enabled || now.updatedOn !== last.updatedOn;
}
