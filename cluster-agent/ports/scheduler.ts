import type { Clock } from '../../core/ports/clock.js';

/** A Clock that can also run a callback later, so backoff, jitter and periodic checks are unit-testable. */
export interface Scheduler extends Clock {
  /** Runs `fn` after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

/** The real scheduler: wall clock and unref'd timers (they never keep the process alive on their own). */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
