/**
 * The one place the Function maps a delivery error to what happens to the event:
 * - `acknowledge`: retrying cannot help (TerminalError: the agent refused the notification, a cluster is not
 *   configured; NotFoundError). The failure is logged and counted, and Event Grid is told the event was handled.
 * - `retry`: anything else (TransientError: network, timeout, 408, 429, 5xx; and errors we did not foresee).
 *   The invocation throws, so Event Grid redelivers with backoff until its retry policy (24 h by default) ends,
 *   then dead-letters when a dead-letter destination is configured.
 */
import { NotFoundError, TerminalError, TransientError } from '../core/errors.js';
import type { PlannedDelivery } from '../core/routing/plan-deliveries.js';

export type Disposition = 'acknowledge' | 'retry';

export function dispositionOf(error: unknown): Disposition {
  return error instanceof TerminalError || error instanceof NotFoundError ? 'acknowledge' : 'retry';
}

/**
 * Retried, but only a person can make them pass: the agent's keyring lacks the key id, the clocks disagree, Key Vault
 * refuses the Function's identity the signing key, or the key's secret is not a signing key.
 */
const OPERATOR_CODES = new Set(['PushKeyUnknown', 'PushTimestampStale', 'SigningKeyVaultDenied', 'SigningKeyInvalid']);

export function needsOperator(error: unknown): boolean {
  return dispositionOf(error) === 'acknowledge' || (error instanceof TransientError && OPERATOR_CODES.has(error.code));
}

export interface DeliveryFailure {
  readonly delivery: PlannedDelivery;
  readonly error: unknown;
  readonly disposition: Disposition;
}

/** Thrown by the routing service when at least one delivery should be retried; the others already succeeded. */
export class DeliveryRetryError extends TransientError {
  readonly failures: readonly DeliveryFailure[];
  constructor(failures: readonly DeliveryFailure[], attempted: number) {
    const list = failures.map(({ delivery, error }) => `${delivery.cluster}/${delivery.notification.eventId}: ${errorCode(error)}`).join(', ');
    super('DeliveryRetry', `${failures.length} of ${attempted} deliveries failed and will be retried by Event Grid (${list})`, {
      cause: new AggregateError(failures.map((f) => f.error)),
    });
    this.failures = failures;
  }
}

export function errorCode(error: unknown): string {
  if (error instanceof TerminalError || error instanceof TransientError || error instanceof NotFoundError) return error.code;
  return error instanceof Error ? error.name : 'UnknownError';
}
