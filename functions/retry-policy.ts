/**
 * Exponential backoff of push retries: base × 2^(attempts−1), capped, with ±20 % jitter (from the caller, so it is
 * testable) and never sooner than the agent's Retry-After. Whole seconds: a Storage Queue's visibility timeout is.
 */
import type { RetryPolicy } from './config.js';

export function retryDelaySeconds(policy: RetryPolicy, attempts: number, retryAfterMs: number | undefined, jitter: number): number {
  const exponential = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(attempts - 1, 30));
  const jittered = exponential * (0.8 + 0.4 * Math.min(1, Math.max(0, jitter)));
  const hinted = retryAfterMs === undefined ? 0 : Math.ceil(retryAfterMs / 1000);
  return Math.max(1, Math.min(policy.maxSeconds, Math.round(Math.max(jittered, hinted))));
}
