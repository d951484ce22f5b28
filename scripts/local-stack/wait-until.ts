/** Tight readiness polling with a deadline and a fail-fast check (e.g. "the process already exited"). */
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Called before every attempt: return an Error to stop waiting at once. */
  readonly failFast?: () => Error | undefined;
}

/** Calls `probe` until it returns something other than undefined; probe errors count as "not yet". */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const fatal = options.failFast?.();
    if (fatal) throw fatal;
    try {
      const result = await probe();
      if (result !== undefined) return result;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`, { cause: lastError });
    }
    await delay(options.intervalMs ?? 50);
  }
}
