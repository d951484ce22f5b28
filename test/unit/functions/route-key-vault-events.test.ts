import { TerminalError, TransientError } from '../../../core/errors.js';
import type { ClusterRoute } from '../../../core/routing/plan-deliveries.js';
import { NotificationSigner } from '../../../core/notification/notification-signer.js';
import { InMemoryDedupeStore } from '../../../functions/adapters/in-memory-dedupe-store.js';
import { DeliveryRetryError } from '../../../functions/delivery-disposition.js';
import type { DedupeStore } from '../../../functions/ports/dedupe-store.js';
import { IN_FLIGHT, routeKeyVaultEvents, type RouteDependencies } from '../../../functions/route-key-vault-events.js';
import { FIXTURE_VAULT, eventGridItem, cloudEventItem, loadEventFixture } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BYTES } from './support/cluster-settings.js';
import { InMemoryRetryQueue } from './support/in-memory-retry-queue.js';
import { InMemoryLogger } from './support/in-memory-logger.js';
import { InMemoryNotificationSink } from './support/in-memory-notification-sink.js';
import { InMemoryTelemetry } from './support/in-memory-telemetry.js';
import { ManualClock } from './support/manual-clock.js';

const EVENT_TIME = '2025-03-11T09:15:42.000Z';
const V1 = '11111111111111111111111111111111';
const V2 = '22222222222222222222222222222222';

/** A SecretNewVersionCreated (or another kind) of db-password at `version`. */
function secretEvent(version: string, o: { id?: string; time?: string; kind?: 'NewVersionCreated' | 'NearExpiry' } = {}): Record<string, unknown> {
  return eventGridItem({
    envelope: { id: o.id ?? `evt-${version.slice(0, 4)}-${o.kind ?? 'new'}`, eventTime: o.time ?? EVENT_TIME, eventType: `Microsoft.KeyVault.Secret${o.kind ?? 'NewVersionCreated'}` },
    data: { Id: `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${version}`, Version: version },
  });
}

function setup(clusters: ClusterRoute[] = [{ name: 'alpha', vaults: [FIXTURE_VAULT] }], dedupe?: DedupeStore) {
  const clock = new ManualClock(Date.parse(EVENT_TIME) + 250);
  const sink = new InMemoryNotificationSink();
  const telemetry = new InMemoryTelemetry();
  const log = new InMemoryLogger();
  const store = new InMemoryDedupeStore({ clock });
  const signer = new NotificationSigner((cluster) => ({ keyId: `${cluster}-key`, key: SIGNING_KEY_BYTES }), clock);
  const deps: RouteDependencies = { clusters, signer, sink, dedupe: dedupe ?? store, clock, telemetry, log };
  return { deps, clock, sink, telemetry, log, store };
}

describe('routeKeyVaultEvents', () => {
  it('pushes a notification for a Key Vault event to each subscribed cluster and counts it', async () => {
    const { deps, sink, telemetry } = setup([
      { name: 'alpha', vaults: [FIXTURE_VAULT] },
      { name: 'beta', vaults: '*', objects: ['db-*'] },
      { name: 'gamma', vaults: ['kv-other'] },
    ]);
    const report = await routeKeyVaultEvents(eventGridItem(), deps);
    expect(sink.delivered.map((d) => d.cluster)).toEqual(['alpha', 'beta']);
    expect(sink.delivered[0]?.notification).toEqual({
      vault: FIXTURE_VAULT,
      objectType: 'Secret',
      objectName: 'db-password',
      version: 'ee059b2bb5bc48398a53b168c6cdcb10',
      eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
      eventId: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
      eventTime: '2025-03-11T09:15:42.1036736Z',
    });
    expect(report).toMatchObject({ received: 1, invalid: 0, ignored: 0, duplicates: 0, refused: [] });
    expect(report.delivered).toHaveLength(2);
    expect(telemetry.total('received')).toBe(1);
    expect(telemetry.total('delivered')).toBe(2);
  });

  it('records the delivery latency from the event time', async () => {
    const { deps, telemetry } = setup();
    await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(telemetry.items.filter((i) => i.name === 'deliveryLatency')).toEqual([{ name: 'deliveryLatency', value: 250, dimensions: { cluster: 'alpha', eventType: 'Microsoft.KeyVault.SecretNewVersionCreated' } }]);
  });

  it('accepts CloudEvents 1.0 as well', async () => {
    const { deps, sink } = setup();
    await routeKeyVaultEvents(cloudEventItem(), deps);
    expect(sink.delivered).toHaveLength(1);
  });

  it('acknowledges malformed and ignored items in a batch, and still delivers the valid one', async () => {
    const { deps, sink, telemetry, log } = setup();
    const malformed = secretEvent(V2, { id: 'evt-bad' });
    (malformed.data as Record<string, unknown>).VaultName = 'not a vault!';
    const batch = [malformed, secretEvent(V1), loadEventFixture('eventgrid-vault-access-policy-changed.json'), 42].flat();

    const report = await routeKeyVaultEvents(batch, deps);

    expect(sink.delivered.map((d) => d.notification.version)).toEqual([V1]);
    expect(report).toMatchObject({ received: 4, invalid: 2, ignored: 1 });
    expect(telemetry.total('invalid')).toBe(2);
    expect(telemetry.total('ignored')).toBe(1);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.fields?.eventId)).toEqual(['evt-bad', undefined]);
  });

  it('counts an event no cluster subscribes to as ignored', async () => {
    const { deps, sink, telemetry } = setup([{ name: 'alpha', vaults: ['kv-other'] }]);
    const report = await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(sink.delivered).toEqual([]);
    expect(report.ignored).toBe(1);
    expect(telemetry.items).toContainEqual({ name: 'ignored', value: 1, dimensions: { reason: 'no-subscriber' } });
  });

  it('does not push an event again when Event Grid redelivers it', async () => {
    const { deps, sink, telemetry } = setup();
    await routeKeyVaultEvents(secretEvent(V1), deps);
    const again = await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(sink.delivered).toHaveLength(1);
    expect(again.duplicates).toBe(1);
    expect(telemetry.items).toContainEqual({ name: 'duplicate', value: 1, dimensions: { cluster: 'alpha', reason: 'duplicate' } });
  });

  it('pushes a duplicate inside one batch once', async () => {
    const { deps, sink } = setup();
    const report = await routeKeyVaultEvents([secretEvent(V1), secretEvent(V1)], deps);
    expect(sink.delivered).toHaveLength(1);
    expect(report.duplicates).toBe(1);
  });

  it('does not treat a NearExpiry of a delivered version as a duplicate of its NewVersionCreated', async () => {
    const { deps, sink } = setup();
    await routeKeyVaultEvents(secretEvent(V1), deps);
    await routeKeyVaultEvents(secretEvent(V1, { kind: 'NearExpiry' }), deps);
    expect(sink.delivered.map((d) => d.notification.eventType)).toEqual(['Microsoft.KeyVault.SecretNewVersionCreated', 'Microsoft.KeyVault.SecretNearExpiry']);
  });

  it('still delivers an older version that arrives late (the agent reads the latest anyway)', async () => {
    const { deps, sink } = setup();
    await routeKeyVaultEvents(secretEvent(V2, { time: '2025-03-11T10:00:00Z' }), deps);
    const late = await routeKeyVaultEvents(secretEvent(V1, { time: '2025-03-11T09:00:00Z' }), deps);
    expect(late.duplicates).toBe(0);
    expect(sink.delivered.map((d) => d.notification.version)).toEqual([V2, V1]);
  });

  it('delivers a batch in event-time order whatever order it arrived in', async () => {
    const { deps, sink } = setup();
    await routeKeyVaultEvents([secretEvent(V2, { time: '2025-03-11T10:00:00Z' }), secretEvent(V1, { time: '2025-03-11T09:00:00Z' })], deps);
    expect(sink.delivered.map((d) => d.notification.version)).toEqual([V1, V2]);
  });

  it('throws for a transient failure so Event Grid retries, marking only what was delivered', async () => {
    const { deps, sink, store, telemetry } = setup([
      { name: 'alpha', vaults: '*' },
      { name: 'beta', vaults: '*' },
    ]);
    sink.failWith('beta', new TransientError('PushHttp503', 'cluster "beta" answered HTTP 503'));

    const error = await routeKeyVaultEvents(secretEvent(V1), deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryRetryError);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/1 of 2 deliveries failed .*beta\/evt-1111-new: PushHttp503/);
    expect(sink.delivered.map((d) => d.cluster)).toEqual(['alpha']);
    expect(store.size).toBe(1);
    expect(telemetry.items).toContainEqual({ name: 'failed', value: 1, dimensions: { cluster: 'beta', code: 'PushHttp503', disposition: 'retry' } });

    sink.recover('beta');
    const retried = await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(sink.delivered.map((d) => d.cluster)).toEqual(['alpha', 'beta']);
    expect(retried.duplicates).toBe(1);
  });

  it('retries errors it does not recognise rather than dropping the event', async () => {
    const { deps, sink } = setup();
    sink.failWith('alpha', new Error('socket hang up'));
    await expect(routeKeyVaultEvents(secretEvent(V1), deps)).rejects.toBeInstanceOf(DeliveryRetryError);
  });

  it('logs, counts and acknowledges a delivery the agent refused for good', async () => {
    const { deps, sink, store, telemetry, log } = setup();
    sink.failWith('alpha', new TerminalError('PushRejected401', 'cluster "alpha" answered HTTP 401'));

    const report = await routeKeyVaultEvents(secretEvent(V1), deps);

    expect(report.refused).toHaveLength(1);
    expect(report.refused[0]?.disposition).toBe('acknowledge');
    expect(store.size).toBe(0);
    expect(telemetry.items).toContainEqual({ name: 'failed', value: 1, dimensions: { cluster: 'alpha', code: 'PushRejected401', disposition: 'acknowledge' } });
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ message: 'delivery refused, acknowledged without retry', fields: expect.objectContaining({ cluster: 'alpha', code: 'PushRejected401' }) }),
    ]);
  });

  it('signs every attempt afresh: a retried push carries the retry time, not the first attempt\'s', async () => {
    const { deps, sink, clock } = setup();
    sink.failWith('alpha', new TransientError('PushTimestampStale', 'cluster "alpha" answered HTTP 401'));
    await expect(routeKeyVaultEvents(secretEvent(V1), deps)).rejects.toBeInstanceOf(DeliveryRetryError);
    sink.recover('alpha');
    clock.advance(10 * 60 * 1000);
    await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(sink.delivered[0]?.signed.timestamp).toBe(Math.floor(clock.now() / 1000));
  });

  it('retries a 401 unknown-key, and logs it as an error an operator must act on', async () => {
    const { deps, sink, log, store } = setup();
    sink.failWith('alpha', new TransientError('PushKeyUnknown', 'cluster "alpha" answered HTTP 401'));
    await expect(routeKeyVaultEvents(secretEvent(V1), deps)).rejects.toBeInstanceOf(DeliveryRetryError);
    expect(store.size).toBe(0);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ cluster: 'alpha', code: 'PushKeyUnknown' }) }),
    ]);
  });

  it('writes the dedupe mark only after the push succeeded', async () => {
    const order: string[] = [];
    const { deps: base, store } = setup();
    const sink = { deliver: async () => void order.push('deliver') };
    const dedupe: DedupeStore = { has: (k) => store.has(k), mark: async (k) => { order.push('mark'); await store.mark(k); } };
    await routeKeyVaultEvents(secretEvent(V1), { ...base, sink, dedupe });
    expect(order).toEqual(['deliver', 'mark']);

    const failing = { deliver: () => Promise.reject(new TransientError('PushTimeout', 'timed out')) };
    await expect(routeKeyVaultEvents(secretEvent(V2), { ...base, sink: failing, dedupe })).rejects.toThrow(DeliveryRetryError);
    expect(order).toEqual(['deliver', 'mark']);
  });

  it('keeps at most IN_FLIGHT dedupe look-ups and deliveries in flight, however many clusters an event fans out to', async () => {
    const clusters = Array.from({ length: IN_FLIGHT * 3 }, (_, i) => ({ name: `c${i}`, vaults: [FIXTURE_VAULT] }));
    const { deps: base, store } = setup(clusters);
    const peaks = { has: 0, deliver: 0 };
    const inFlight = { has: 0, deliver: 0 };
    const tracked = async <T>(what: 'has' | 'deliver', work: () => Promise<T>): Promise<T> => {
      inFlight[what]++;
      peaks[what] = Math.max(peaks[what], inFlight[what]);
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await work();
      } finally {
        inFlight[what]--;
      }
    };
    const dedupe: DedupeStore = { has: (k) => tracked('has', () => store.has(k)), mark: (k) => store.mark(k) };
    const sink = { deliver: () => tracked('deliver', () => Promise.resolve()) };
    const report = await routeKeyVaultEvents(secretEvent(V1), { ...base, dedupe, sink });
    expect(report.delivered).toHaveLength(clusters.length);
    expect(peaks).toEqual({ has: IN_FLIGHT, deliver: IN_FLIGHT });
  });

  it('lets a failing dedupe store fail the invocation (Event Grid retries)', async () => {
    const broken: DedupeStore = { has: () => Promise.reject(new TransientError('TableUnavailable', 'table storage unavailable')), mark: () => Promise.resolve() };
    const { deps, sink } = setup(undefined, broken);
    await expect(routeKeyVaultEvents(secretEvent(V1), deps)).rejects.toThrow('table storage unavailable');
    expect(sink.delivered).toEqual([]);
  });
});

describe('routeKeyVaultEvents with the retry path (AKVSYNC_STORAGE)', () => {
  function withRetry(appliesTo: (cluster: string) => boolean = () => true) {
    const base = setup([
      { name: 'alpha', vaults: '*' },
      { name: 'beta', vaults: '*' },
    ]);
    const queue = new InMemoryRetryQueue();
    const deps: RouteDependencies = { ...base.deps, retry: { queue, policy: { maxAttempts: 3, baseSeconds: 30, maxSeconds: 600 }, appliesTo, jitter: () => 0.5 } };
    return { ...base, deps, queue };
  }

  it('queues a failed push for retry and acknowledges the event, delivering to the others', async () => {
    const { deps, sink, queue, store, telemetry } = withRetry();
    sink.failWith('beta', new TransientError('PushTimeout', 'timed out'));
    const report = await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(report.delivered.map((d) => d.cluster)).toEqual(['alpha']);
    expect(report.retryQueued.map((d) => d.cluster)).toEqual(['beta']);
    expect(queue.scheduled).toEqual([{ retry: expect.objectContaining({ cluster: 'beta', attempts: 1, lastError: 'PushTimeout', dedupeKey: report.retryQueued[0]?.dedupeKey }), delaySeconds: 30 }]);
    expect(queue.scheduled[0]?.retry.notification.version).toBe(V1);
    expect(store.size).toBe(1);
    expect(telemetry.total('retryQueued')).toBe(1);
  });

  it('poisons a refusal at once, with an alert, and acknowledges', async () => {
    const { deps, sink, queue, telemetry } = withRetry();
    sink.failWith('beta', new TerminalError('PushRejected400', 'refused'));
    const report = await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(report.refused).toHaveLength(1);
    expect(queue.poisoned).toEqual([{ retry: expect.objectContaining({ cluster: 'beta', attempts: 1 }), reason: 'refused: PushRejected400' }]);
    expect(telemetry.alerts).toEqual([{ name: 'akvsync.delivery.poisoned', dimensions: expect.objectContaining({ cluster: 'beta', code: 'PushRejected400' }) }]);
  });

  it('queues a 401 unknown-key for retry and raises the operator alert', async () => {
    const { deps, sink, queue, telemetry } = withRetry();
    sink.failWith('alpha', new TransientError('PushKeyUnknown', 'keyring lacks the key id'));
    await routeKeyVaultEvents(secretEvent(V1), deps);
    expect(queue.scheduled.map((s) => s.retry.cluster)).toEqual(['alpha']);
    expect(telemetry.alerts).toEqual([{ name: 'akvsync.delivery.operatorAction', dimensions: expect.objectContaining({ cluster: 'alpha', code: 'PushKeyUnknown' }) }]);
  });

  it('lets Event Grid retry when the retry queue cannot store the failure: nothing is dropped', async () => {
    const { deps, sink, queue } = withRetry();
    sink.failWith('beta', new TransientError('PushTimeout', 'timed out'));
    queue.failure = new TransientError('StorageUnavailable', 'queue down');
    await expect(routeKeyVaultEvents(secretEvent(V1), deps)).rejects.toBeInstanceOf(DeliveryRetryError);
  });

  it('leaves clusters outside the retry path (queue mode) to Event Grid', async () => {
    const { deps, sink, queue } = withRetry((c) => c === 'alpha');
    sink.failWith('beta', new TransientError('QueueUnavailable', 'enqueue failed'));
    await expect(routeKeyVaultEvents(secretEvent(V1), deps)).rejects.toBeInstanceOf(DeliveryRetryError);
    expect(queue.scheduled).toEqual([]);
  });
});
