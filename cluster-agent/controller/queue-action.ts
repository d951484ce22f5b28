import { isAkvsyncError } from '../../core/errors.js';

/** What one reconcile of a key came to (controller-runtime's Result + error, as one value). */
export type ReconcileResult =
  | { readonly kind: 'success' }
  | { readonly kind: 'requeue-after'; readonly delayMs: number }
  | { readonly kind: 'error'; readonly error: unknown };

export const success: ReconcileResult = Object.freeze({ kind: 'success' });

/** What the work queue does with a key after a reconcile. */
export type QueueAction =
  | { readonly action: 'done' }
  | { readonly action: 'requeue'; readonly delayMs: number; readonly reason: 'requeue-after' | 'backoff' }
  | { readonly action: 'drop'; readonly reason: 'terminal' | 'not-found' };

export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly baseDelayMs: number;
  /** Cap of the exponential backoff (a server's Retry-After may exceed it). */
  readonly maxDelayMs: number;
}

export const defaultBackoff: BackoffPolicy = Object.freeze({ baseDelayMs: 500, maxDelayMs: 5 * 60_000 });

/**
 * THE one place the agent maps a reconcile outcome to a queue action (design.md §3):
 * success → done; requeue-after → requeue then; TerminalError → drop (the condition says why; retrying cannot help);
 * NotFoundError → drop (the last value stays; the fallback check notices when the object comes back);
 * TransientError or anything unexpected → requeue with capped exponential backoff, never sooner than a Retry-After.
 * `failures` is how many times in a row this key has failed before this outcome.
 */
export function decideQueueAction(result: ReconcileResult, failures: number, policy: BackoffPolicy = defaultBackoff): QueueAction {
  switch (result.kind) {
    case 'success':
      return { action: 'done' };
    case 'requeue-after':
      return { action: 'requeue', delayMs: Math.max(0, result.delayMs), reason: 'requeue-after' };
    case 'error': {
      const error = result.error;
      if (isAkvsyncError(error) && error.kind === 'terminal') return { action: 'drop', reason: 'terminal' };
      if (isAkvsyncError(error) && error.kind === 'not-found') return { action: 'drop', reason: 'not-found' };
      const exponential = Math.min(policy.baseDelayMs * 2 ** Math.min(failures, 30), policy.maxDelayMs);
      const retryAfter = retryAfterMsOf(error) ?? 0;
      return { action: 'requeue', delayMs: Math.max(exponential, retryAfter), reason: 'backoff' };
    }
  }
}

function retryAfterMsOf(error: unknown): number | undefined {
  if (!isAkvsyncError(error) || error.kind !== 'transient') return undefined;
  const ms = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
