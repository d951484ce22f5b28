import { NotFoundError, TerminalError, TransientError } from '../../../core/errors.js';
import { DeliveryRetryError, dispositionOf, needsOperator } from '../../../functions/delivery-disposition.js';
import { keyVaultEvent } from '../../support/key-vault-events.js';
import { toNotification } from '../../../core/notification/notification-from-event.js';

describe('dispositionOf', () => {
  it.each<[string, unknown, 'acknowledge' | 'retry']>([
    ['a terminal error', new TerminalError('PushRejected401', 'refused'), 'acknowledge'],
    ['a not-found error', new NotFoundError('Gone', 'gone'), 'acknowledge'],
    ['a transient error', new TransientError('PushTimeout', 'timed out'), 'retry'],
    ['an unforeseen error', new TypeError('x is undefined'), 'retry'],
    ['a thrown non-error', 'boom', 'retry'],
  ])('%s → %s', (_name, error, expected) => {
    expect(dispositionOf(error)).toBe(expected);
  });
});

describe('needsOperator', () => {
  it.each<[string, unknown, boolean]>([
    ['a refusal', new TerminalError('PushRejected400', 'refused'), true],
    ['401 unknown-key (retried)', new TransientError('PushKeyUnknown', 'keyring lacks the key id'), true],
    ['401 stale-timestamp (retried)', new TransientError('PushTimestampStale', 'clock skew'), true],
    ['a 503', new TransientError('PushHttp503', 'busy'), false],
    ['a timeout', new TransientError('PushTimeout', 'timed out'), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(needsOperator(error)).toBe(expected);
  });

  it('retries 401 unknown-key and stale-timestamp rather than acknowledging them', () => {
    expect(dispositionOf(new TransientError('PushKeyUnknown', 'x'))).toBe('retry');
    expect(dispositionOf(new TransientError('PushTimestampStale', 'x'))).toBe('retry');
  });
});

describe('DeliveryRetryError', () => {
  it('is transient and names each failed cluster, event and code', () => {
    const delivery = { cluster: 'beta', notification: toNotification(keyVaultEvent({ eventId: 'e-1' })), dedupeKey: 'k' };
    const cause = new TransientError('PushHttp503', 'busy');
    const error = new DeliveryRetryError([{ delivery, error: cause, disposition: 'retry' }], 3);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('DeliveryRetry');
    expect(error.message).toBe('1 of 3 deliveries failed and will be retried by Event Grid (beta/e-1: PushHttp503)');
    expect((error.cause as AggregateError).errors).toEqual([cause]);
  });
});
