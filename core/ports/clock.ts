/** Time is a port so that retries, backoff, windows and jitter are testable without waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
