import { isAkvsyncError } from '../../core/errors.js';
import type { ErrorKind } from '../../core/errors.js';

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

const rank = (e: unknown): number => {
  if (!isAkvsyncError(e)) return 3;
  return e.kind === 'transient' ? 4 : e.kind === 'not-found' ? 2 : 1;
};

/** Of several failures in one reconcile, the one that decides the queue action: retryable ones win. */
export function mostRetryable(errors: readonly unknown[]): unknown {
  let best: unknown = errors[0];
  for (const e of errors) if (rank(e) > rank(best)) best = e;
  return best;
}
