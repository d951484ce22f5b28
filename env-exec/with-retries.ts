/**
 * Bounded retries for transient failures (a rolling agent update, a Key Vault 503, a network blip): exponential
 * backoff from 500 ms capped at 8 s, honouring a server's Retry-After up to that cap, at most `maxAttempts` tries.
 * Anything else fails at once. `onRetry` hears only the error's code (never a message that could hold data).
 */
import { isAkvsyncError } from '../core/errors.js';

export interface RetryOptions {
  readonly maxAttempts: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (code: string, attempt: number, delayMs: number) => void;
}

const BASE_MS = 500;
const CAP_MS = 8000;

export async function withRetries<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isAkvsyncError(error) || error.kind !== 'transient' || attempt >= options.maxAttempts) throw error;
      const backoff = Math.min(CAP_MS, BASE_MS * 2 ** (attempt - 1));
      const delay = Math.min(CAP_MS, Math.max(backoff, (error as { retryAfterMs?: number }).retryAfterMs ?? 0));
      options.onRetry?.(error.code, attempt, delay);
      await sleep(delay);
    }
  }
}
