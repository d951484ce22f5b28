import type { Logger } from 'pino';
import { TokenBuckets } from '../../core/concurrency/token-buckets.js';
import { DATA_HASH_ANNOTATION } from '../../core/crd/annotations.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { outputTargetOf } from '../../core/sync/compute-desired-output.js';
import type { AgentMetrics } from '../metrics.js';
import type { ExistingOutput, OutputRef } from '../ports/cluster-api.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { AkvsIndex } from './akvs-index.js';

interface Enqueue {
  add(key: string): void;
  addCr?(key: string, crId: string): void;
}

export interface OutputDriftOptions {
  readonly index: AkvsIndex;
  readonly queue: Enqueue;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics | undefined;
  /** Repairs of one output allowed at once … */
  readonly burst: number;
  /** … and one more every this many milliseconds. */
  readonly intervalMs: number;
}

/** How many outputs may hold rate-limit state before the full (idle) ones are forgotten. */
const SWEEP_ABOVE = 1000;

/**
 * Puts back a managed Secret/ConfigMap edited or deleted by hand (the output informer reports what it sees). An
 * output is drifted when the keyed hash of its data is not the `akvsync.io/data-hash` the agent wrote (the agent's own
 * writes always match), or when it is gone. Its writers — the CRs whose spec names it — get a CR-only reconcile, which
 * reuses the object's last Key Vault read when it is recent (controller/latest-reads.ts), so a repair normally costs no
 * Key Vault call. Repairs of one output are rate-limited by a token bucket (`burst`, one more per `intervalMs`): an edit
 * loop is repaired at that rate, the last edit always (a delayed repair is scheduled, at most one per output).
 */
export class OutputDrift {
  private readonly buckets: TokenBuckets;
  private readonly delayed = new Map<string, () => void>();

  constructor(private readonly options: OutputDriftOptions) {
    this.buckets = new TokenBuckets(options.burst, options.intervalMs);
  }

  /** An output was listed or changed: repaired if its data is not what the agent wrote. */
  seen(output: ExistingOutput): void {
    if (output.annotations[DATA_HASH_ANNOTATION] === output.dataHash) return;
    this.drifted(output, 'edited');
  }

  /** An output was deleted (or lost the managed-by label): written again if a CR still names it. */
  gone(ref: OutputRef): void {
    this.drifted(ref, 'deleted');
  }

  stop(): void {
    for (const cancel of this.delayed.values()) cancel();
    this.delayed.clear();
  }

  private drifted(ref: OutputRef, change: 'edited' | 'deleted'): void {
    if (this.writersOf(ref).length === 0) return;
    const id = `${ref.kind}/${ref.namespace}/${ref.name}`;
    if (this.delayed.has(id)) {
      this.options.metrics?.outputDrift.inc({ change, outcome: 'delayed' });
      return;
    }
    const now = this.options.scheduler.now();
    if (this.buckets.size > SWEEP_ABOVE) this.buckets.sweep(now);
    const waitMs = this.buckets.take(id, now);
    if (waitMs === 0) {
      this.repair(ref, change);
      return;
    }
    this.options.metrics?.outputDrift.inc({ change, outcome: 'delayed' });
    this.options.logger.info({ output: id, change, retryInMs: waitMs }, 'output drifted again; repair delayed (rate limit)');
    const cancel = this.options.scheduler.schedule(waitMs, () => {
      this.delayed.delete(id);
      this.buckets.take(id, this.options.scheduler.now());
      this.repair(ref, change);
    });
    this.delayed.set(id, cancel);
  }

  private repair(ref: OutputRef, change: 'edited' | 'deleted'): void {
    const writers = this.writersOf(ref);
    if (writers.length === 0) return;
    this.options.metrics?.outputDrift.inc({ change, outcome: 'repaired' });
    this.options.logger.info({ output: `${ref.kind}/${ref.namespace}/${ref.name}`, change, crs: writers.map((w) => w.cr.metadata.name) }, 'output drifted; putting it back');
    for (const { cr, key } of writers) {
      const crId = `${cr.metadata.namespace}/${cr.metadata.name}`;
      if (this.options.queue.addCr) this.options.queue.addCr(key, crId);
      else this.options.queue.add(key);
    }
  }

  /** The CRs whose spec writes this output, with their work-queue keys. */
  private writersOf(ref: OutputRef): { cr: AzureKeyVaultSecret; key: string }[] {
    const { index } = this.options;
    const found: { cr: AzureKeyVaultSecret; key: string }[] = [];
    for (const key of index.keys()) {
      for (const cr of index.crsFor(key)) {
        if (cr.metadata.namespace !== ref.namespace) continue;
        const target = outputTargetOf(cr);
        if (target?.kind === ref.kind && target.name === ref.name) found.push({ cr, key });
      }
    }
    return found;
  }
}
