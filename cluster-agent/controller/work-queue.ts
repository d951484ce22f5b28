import type { Scheduler } from '../ports/scheduler.js';
import { decideQueueAction, defaultBackoff } from '../error-policy.js';
import type { BackoffPolicy } from '../error-policy.js';
import type { QueueAction, ReconcileResult } from './queue-action.js';

export interface WorkQueueOptions {
  readonly handler: (key: string) => Promise<ReconcileResult>;
  readonly scheduler: Scheduler;
  /** Keys reconciled at the same time (different keys only: one key is never processed twice at once). */
  readonly concurrency?: number;
  readonly backoff?: BackoffPolicy;
  /** Called once per reconcile with the action taken; the place failures are logged and surfaced. */
  readonly onOutcome?: (key: string, result: ReconcileResult, action: QueueAction) => void;
}

/**
 * A coalescing, rate-limited work queue (the idea of client-go's workqueue): a key waiting in the queue is there once
 * however often it is added; a key added while it is being processed is processed once more afterwards; failed keys
 * come back with capped exponential backoff (never sooner than a server's Retry-After, even when added again meanwhile).
 */
export class WorkQueue {
  private readonly fifo: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly waiting = new Map<string, { at: number; cancel: () => void }>();
  private readonly failures = new Map<string, number>();
  /** Keys that may not run before this time (backoff / Retry-After). */
  private readonly notBefore = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly concurrency: number;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: WorkQueueOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.backoff = options.backoff ?? defaultBackoff;
  }

  /** Queue `key` now (or when its backoff ends). */
  add(key: string): void {
    if (this.stopped) return;
    const until = this.notBefore.get(key);
    const now = this.options.scheduler.now();
    if (until !== undefined && until > now) {
      this.addAfter(key, until - now);
      return;
    }
    this.cancelWaiting(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.fifo.push(key);
    this.pump();
  }

  /** Queue `key` after `delayMs`; an earlier pending add wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const at = this.options.scheduler.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const cancel = this.options.scheduler.schedule(delayMs, () => {
      this.waiting.delete(key);
      this.notBefore.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { at, cancel });
  }

  /** Keys queued or waiting for a delayed add (the queue-depth metric). */
  depth(): number {
    return this.queued.size + this.waiting.size;
  }

  /** How many times in a row `key` has failed. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Resolves when nothing is queued or processing (delayed adds do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work, cancels delayed adds and waits for reconciles in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { cancel } of this.waiting.values()) cancel();
    this.waiting.clear();
    this.fifo.length = 0;
    this.queued.clear();
    this.dirty.clear();
    await this.whenIdle();
  }

  private isIdle(): boolean {
    return this.queued.size === 0 && this.processing.size === 0;
  }

  private cancelWaiting(key: string): void {
    const pending = this.waiting.get(key);
    if (!pending) return;
    pending.cancel();
    this.waiting.delete(key);
  }

  private pump(): void {
    while (!this.stopped && this.processing.size < this.concurrency && this.fifo.length > 0) {
      const key = this.fifo.shift() as string;
      this.queued.delete(key);
      this.processing.add(key);
      void this.run(key);
    }
    if (this.isIdle() || (this.stopped && this.processing.size === 0)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async run(key: string): Promise<void> {
    let result: ReconcileResult;
    try {
      result = await this.options.handler(key);
    } catch (error) {
      result = { kind: 'error', error };
    }
    const failures = this.failures.get(key) ?? 0;
    const action = decideQueueAction(result, failures, this.backoff);
    this.processing.delete(key);
    this.apply(key, action, failures);
    this.options.onOutcome?.(key, result, action);
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }

  private apply(key: string, action: QueueAction, failures: number): void {
    if (action.action === 'requeue' && action.reason === 'backoff') {
      this.failures.set(key, failures + 1);
      this.notBefore.set(key, this.options.scheduler.now() + action.delayMs);
      this.dirty.delete(key);
      this.addAfter(key, action.delayMs);
      return;
    }
    this.failures.delete(key);
    this.notBefore.delete(key);
    if (action.action === 'requeue') this.addAfter(key, action.delayMs);
  }
}
