import { TerminalError } from '../../core/errors.js';
import type { AkvsyncError } from '../../core/errors.js';

export interface FirstListRetryPolicy {
  /** Delay before the first retry; doubles per retry up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
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
 * 5xx, 409, no answer) are retried for as long as it takes, never sooner than a Retry-After; 404 (the CRD not served yet) at most
 * `maxNotFoundRetries` times, then fails with an error that says to install the CRD; anything else (RBAC) fails at once.
 */
export function decideFirstListRetry(error: AkvsyncError, failures: number, resource: string, policy: FirstListRetryPolicy = defaultFirstListRetry): FirstListDecision {
  const delayMs = Math.min(policy.baseDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 30), policy.maxDelayMs);
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

function retryAfterMsOf(error: AkvsyncError): number {
  const ms = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
}
