import { TerminalError, isAkvsyncError } from '../core/errors.js';
import type { AkvsyncError, ErrorKind } from '../core/errors.js';
import type { QueueAction, ReconcileResult } from './controller/queue-action.js';

/**
 * THE agent's error policy, in one place (design.md §3): how a failure is described on a CR and in logs, which of
 * several failures decides, the one backoff formula, the one Retry-After reading, and the two decisions built on them
 * (the work queue's requeue/drop, the informer's first-list retry). Adapters only map raw failures to core/errors.ts
 * classes (key-vault-errors.ts, kube-errors.ts); everything that decides what happens next is here.
 */

export interface FailureDescription {
  readonly code: string;
  readonly kind: ErrorKind | 'unexpected';
  /** Safe to show on a CR status or Event: our errors' messages are built from names, versions and codes only. */
  readonly message: string;
}

/** Our error classes carry a code and a value-free message; anything else is reported by its class name only. */
export function describeFailure(error: unknown): FailureDescription {
  if (isAkvsyncError(error)) return { code: error.code, kind: error.kind, message: error.message };
  const name = error instanceof Error ? error.name : typeof error;
  return { code: 'Unexpected', kind: 'unexpected', message: `unexpected ${name} (see the agent log)` };
}

/** Transient first, then unexpected (retried too), then not-found, then terminal. */
const retryRank = (e: unknown): number => {
  if (!isAkvsyncError(e)) return 3;
  return e.kind === 'transient' ? 4 : e.kind === 'not-found' ? 2 : 1;
};

/** Of several failures in one reconcile, the one that decides the queue action: retryable ones win. */
export function mostRetryable(errors: readonly unknown[]): unknown {
  let best: unknown = errors[0];
  for (const e of errors) if (retryRank(e) > retryRank(best)) best = e;
  return best;
}

/** The one Retry-After reading (Key Vault and Kubernetes answers) lives in core/, shared with env-exec. */
export { parseRetryAfter } from '../core/retry-after.js';

/** The Retry-After a TransientError carries, in ms (0 when none). */
export function retryAfterMsOf(error: unknown): number {
  if (!isAkvsyncError(error) || error.kind !== 'transient') return 0;
  const ms = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
}

export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly baseDelayMs: number;
  /** Cap of the exponential backoff (a server's Retry-After may exceed it). */
  readonly maxDelayMs: number;
}

export const defaultBackoff: BackoffPolicy = Object.freeze({ baseDelayMs: 500, maxDelayMs: 5 * 60_000 });

/** THE backoff formula: base · 2^earlierFailures, capped. `earlierFailures` = failures in a row before this one. */
export function backoffDelayMs(earlierFailures: number, policy: BackoffPolicy): number {
  return Math.min(policy.baseDelayMs * 2 ** Math.min(Math.max(earlierFailures, 0), 30), policy.maxDelayMs);
}

/**
 * What the work queue does after a reconcile: success → done; requeue-after → requeue then; TerminalError → drop (the
 * condition says why; retrying cannot help); NotFoundError → drop (the last value stays; the fallback check notices
 * when the object comes back); TransientError or anything unexpected → requeue with backoff, never sooner than a
 * Retry-After. `failures` is how many times in a row this key has failed before this outcome.
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
      return { action: 'requeue', delayMs: Math.max(backoffDelayMs(failures, policy), retryAfterMsOf(error)), reason: 'backoff' };
    }
  }
}

export const registrationBackoff: BackoffPolicy = Object.freeze({ baseDelayMs: 2000, maxDelayMs: 2 * 60_000 });

export type RegistrationDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'next-heartbeat' };

/**
 * After a registration or heartbeat failed (already mapped: registration/registration-errors.ts), `failures` being how
 * many failed in a row before this one: a transient failure (no answer, 408/429/5xx, clock skew, a replayed nonce) or
 * an unexpected one is retried with the backoff formula, never sooner than a Retry-After; a refusal (unknown key,
 * bad signature, invalid body, registry off) waits for the next heartbeat — retrying at once cannot help, and the
 * heartbeat picks up a fixed keyring or Function. Either way the agent keeps serving what it has.
 */
export function decideRegistrationRetry(error: unknown, failures: number, policy: BackoffPolicy = registrationBackoff): RegistrationDecision {
  if (isAkvsyncError(error) && error.kind !== 'transient') return { action: 'next-heartbeat' };
  return { action: 'retry', delayMs: Math.max(backoffDelayMs(failures, policy), retryAfterMsOf(error)) };
}

export interface FirstListRetryPolicy extends BackoffPolicy {
  /**
   * How many times a 404 is retried. Right after a CRD turns Established the apiserver may still answer 404 for its
   * resource for a moment; a CRD that stays unserved past these retries is not installed, and start-up fails.
   */
  readonly maxNotFoundRetries: number;
}

export const defaultFirstListRetry: FirstListRetryPolicy = Object.freeze({ baseDelayMs: 1000, maxDelayMs: 30_000, maxNotFoundRetries: 5 });

export type FirstListDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'fail'; readonly error: AkvsyncError };

/**
 * Whether the informer's first list of `resource` is tried again after it failed with `error` (already mapped by
 * kubeError), `failures` being how many times in a row it has failed, this one included. Transient failures (429,
 * 5xx, 409, no answer) are retried for as long as it takes, never sooner than a Retry-After; 404 (the CRD not served
 * yet) at most `maxNotFoundRetries` times, then fails with an error that says to install the CRD; anything else
 * (RBAC) fails at once.
 */
export function decideFirstListRetry(error: AkvsyncError, failures: number, resource: string, policy: FirstListRetryPolicy = defaultFirstListRetry): FirstListDecision {
  const delayMs = backoffDelayMs(failures - 1, policy);
  if (error.kind === 'transient') return { action: 'retry', delayMs: Math.max(delayMs, retryAfterMsOf(error)) };
  if (error.kind !== 'not-found') return { action: 'fail', error };
  if (failures <= policy.maxNotFoundRetries) return { action: 'retry', delayMs };
  return {
    action: 'fail',
    error: new TerminalError('CrdNotServed',
      `the API server does not serve ${resource} (404 on ${failures} lists in a row): is the AzureKeyVaultSecret CRD installed? `
      + 'Apply cluster-agent/manifests/akvsync.io_azurekeyvaultsecrets.yaml', { cause: error }),
  };
}

/**
 * The one line `main.ts` prints when the agent cannot start. Our errors' messages are value-free; anything else (a
 * kubeconfig parse error can quote a token, a TLS error its file) is shown by class name and a code of safe characters
 * only, never its message.
 */
export function startupFailureLine(error: unknown): string {
  if (isAkvsyncError(error)) return `akvsync agent failed to start: ${error.code}: ${error.message}`;
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  const safeCode = typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? ` ${code}` : '';
  return `akvsync agent failed to start: ${name}${safeCode} (message withheld: it may quote configuration; check the settings and files the agent reads)`;
}

/**
 * A CR's output clean-up failed while the CR is being deleted: keep its finalizer (and retry with backoff) only when
 * retrying can help — a transient or unexpected failure. A terminal or not-found one releases the finalizer and leaves
 * the output in place, so a CR never blocks its namespace's deletion on something that cannot pass.
 */
export function cleanupKeepsFinalizer(error: unknown): boolean {
  return !isAkvsyncError(error) || error.kind === 'transient';
}
