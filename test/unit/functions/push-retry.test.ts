import { TerminalError, TransientError } from '../../../core/errors.js';
import { NotificationSigner } from '../../../core/notification/notification-signer.js';
import { toNotification } from '../../../core/notification/notification-from-event.js';
import { InMemoryDedupeStore } from '../../../functions/adapters/in-memory-dedupe-store.js';
import { handlePushRetry, type PushRetryDependencies } from '../../../functions/push-retry.js';
import { encodePushRetry, type PushRetry } from '../../../functions/push-retry-message.js';
import { keyVaultEvent } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS } from './support/cluster-settings.js';
import { InMemoryLogger } from './support/in-memory-logger.js';
import { InMemoryNotificationSink } from './support/in-memory-notification-sink.js';
import { InMemoryRetryQueue } from './support/in-memory-retry-queue.js';
import { InMemoryTelemetry } from './support/in-memory-telemetry.js';
import { ManualClock } from './support/manual-clock.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const RETRY: PushRetry = { cluster: 'alpha', notification: toNotification(keyVaultEvent()), dedupeKey: 'k-1', attempts: 1, firstFailedAt: '2026-12-01T09:59:00.000Z', lastError: 'PushTimeout' };

function setup() {
  const clock = new ManualClock(NOW);
  const sink = new InMemoryNotificationSink();
  const queue = new InMemoryRetryQueue();
  const telemetry = new InMemoryTelemetry();
  const log = new InMemoryLogger();
  const dedupe = new InMemoryDedupeStore({ clock });
  const malformed: string[] = [];
  const deps: PushRetryDependencies = {
    clusters: [{ name: 'alpha', vaults: '*' }],
    signer: new NotificationSigner(() => ({ keyId: 'alpha-1', key: SIGNING_KEY_BYTES }), clock),
    sink, dedupe, clock, telemetry, log,
    retry: { queue, policy: { maxAttempts: 3, baseSeconds: 10, maxSeconds: 600 }, appliesTo: () => true, jitter: () => 0.5 },
    poisonMalformed: async (text) => void malformed.push(text),
  };
  return { deps, clock, sink, queue, telemetry, log, dedupe, malformed };
}

describe('handlePushRetry (the retry queue trigger)', () => {
  it('pushes again, signed at the retry’s time, and marks the delivery', async () => {
    const { deps, sink, dedupe, clock } = setup();
    clock.advance(20 * 60 * 1000);
    expect(await handlePushRetry(encodePushRetry(RETRY), deps)).toBe('delivered');
    expect(sink.delivered[0]?.signed.timestamp).toBe(Math.floor(clock.now() / 1000));
    expect(await dedupe.has('k-1')).toBe(true);
  });

  it('skips a push that was delivered meanwhile', async () => {
    const { deps, sink, dedupe } = setup();
    await dedupe.mark('k-1');
    expect(await handlePushRetry(encodePushRetry(RETRY), deps)).toBe('duplicate');
    expect(sink.delivered).toEqual([]);
  });

  it('queues it again with a doubled delay while the budget lasts, then poisons it with an alert', async () => {
    const { deps, sink, queue, telemetry } = setup();
    sink.failWith('alpha', new TransientError('PushHttp503', 'busy'));
    expect(await handlePushRetry(encodePushRetry(RETRY), deps)).toBe('retry-queued');
    expect(queue.scheduled).toEqual([{ retry: expect.objectContaining({ attempts: 2, lastError: 'PushHttp503' }), delaySeconds: 20 }]);
    expect(await handlePushRetry(encodePushRetry(queue.scheduled[0]!.retry), deps)).toBe('poisoned');
    expect(queue.poisoned).toEqual([{ retry: expect.objectContaining({ attempts: 3 }), reason: 'gave up after 3 attempts: PushHttp503' }]);
    expect(telemetry.alerts).toContainEqual({ name: 'akvsync.delivery.poisoned', dimensions: expect.objectContaining({ cluster: 'alpha', attempts: '3' }) });
  });

  it('poisons a refusal at once', async () => {
    const { deps, sink, queue } = setup();
    sink.failWith('alpha', new TerminalError('PushRejected401', 'bad signature'));
    expect(await handlePushRetry(encodePushRetry(RETRY), deps)).toBe('poisoned');
    expect(queue.scheduled).toEqual([]);
  });

  it('throws when the outcome cannot be stored, so the platform redelivers the message', async () => {
    const { deps, sink, queue } = setup();
    sink.failWith('alpha', new TransientError('PushHttp503', 'busy'));
    queue.failure = new TransientError('StorageUnavailable', 'down');
    await expect(handlePushRetry(encodePushRetry(RETRY), deps)).rejects.toThrow('down');
  });

  it('poisons a malformed message as it came, blocking nothing, and never logs key material', async () => {
    const { deps, malformed, log, telemetry } = setup();
    expect(await handlePushRetry('{"v":1,"cluster":"alpha"}', deps)).toBe('malformed');
    expect(malformed).toEqual(['{"v":1,"cluster":"alpha"}']);
    expect(telemetry.alerts.map((a) => a.name)).toEqual(['akvsync.delivery.poisoned']);
    const text = JSON.stringify(log.lines);
    for (const leak of SIGNING_KEY_RENDERINGS) expect(text).not.toContain(leak);
  });
});
