import { toNotification } from '../../../core/notification/notification-from-event.js';
import { decodePushRetry, encodePushRetry, type PushRetry } from '../../../functions/push-retry-message.js';
import { keyVaultEvent } from '../../support/key-vault-events.js';

const RETRY: PushRetry = { cluster: 'alpha', notification: toNotification(keyVaultEvent()), dedupeKey: 'alpha:kv:Secret:db:v:NewVersionCreated', attempts: 2, firstFailedAt: '2026-12-01T10:00:00.000Z', lastError: 'PushHttp503' };
const json = (r: Record<string, unknown>): string => JSON.stringify(r);
const fields = (): Record<string, unknown> => JSON.parse(Buffer.from(encodePushRetry(RETRY), 'base64').toString('utf8')) as Record<string, unknown>;

describe('push retry message', () => {
  it('round-trips through base64 text, through the JSON the queue trigger hands over, and through parsed JSON', () => {
    const text = encodePushRetry(RETRY);
    expect(decodePushRetry(text)).toEqual(RETRY);
    expect(decodePushRetry(Buffer.from(text, 'base64').toString('utf8'))).toEqual(RETRY);
    expect(decodePushRetry(fields())).toEqual(RETRY);
  });

  it('carries no signature: every attempt is signed afresh', () => {
    expect(Object.keys(fields()).sort()).toEqual(['attempts', 'body', 'cluster', 'dedupeKey', 'firstFailedAt', 'lastError', 'v']);
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', 'bm90IGpzb24=', /not JSON/],
    ['an array', [], /not a JSON object/],
    ['another version', { ...fields(), v: 2 }, /"v" must be 1/],
    ['no cluster', { ...fields(), cluster: '' }, /"cluster"/],
    ['zero attempts', { ...fields(), attempts: 0 }, /"attempts"/],
    ['a body with a value field', { ...fields(), body: json({ ...RETRY.notification, value: 'hunter2' }) }, /value/],
  ])('refuses %s with InvalidRetryMessage or InvalidNotification', (_name, message, pattern) => {
    expect(() => decodePushRetry(message)).toThrow(pattern);
  });
});
