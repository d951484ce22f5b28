/**
 * The agent's Storage Queue consumer on Azurite with the real NotificationIntake: accepted messages are deleted
 * only after the intake put them on the work queue; a refused one (unauthorized, malformed) is poisoned at once; one
 * the agent cannot accept yet (not ready) stays for its visibility timeout and is poisoned after maxDequeueCount;
 * none of them holds back the next message. Each poisoning raises a Warning (recorded here) and the counter.
 */
import { randomUUID } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';
import { Registry } from 'prom-client';
import { NotificationIntake } from '../../../cluster-agent/intake/notification-intake.js';
import { SeenEvents } from '../../../cluster-agent/intake/seen-events.js';
import { StorageQueueConsumer } from '../../../cluster-agent/intake/storage-queue-consumer.js';
import { createLogger } from '../../../cluster-agent/logger.js';
import type { Notification } from '../../../core/notification/notification.js';
import { encodeQueueMessage } from '../../../core/notification/queue-envelope.js';
import { signNotification } from '../../../core/notification/signature.js';
import { getTestStack } from '../support/stack-client.js';

const KEY = { keyId: 'queue-key-1', key: new Uint8Array(32).fill(3) };
const body = (eventId: string): string => JSON.stringify({
  vault: 'kv1', objectType: 'Secret', objectName: 'db-password', version: 'ee059b2bb5bc48398a53b168c6cdcb10',
  eventType: 'Microsoft.KeyVault.SecretNewVersionCreated', eventId, eventTime: '2026-01-01T00:00:00Z',
});
const message = (eventId: string, key = KEY, timestamp = 1_000): string => encodeQueueMessage(signNotification(key, timestamp, body(eventId)));

function setup(options: { ready?: () => boolean } = {}) {
  const connection = getTestStack().azurite.connectionString;
  const name = `consumer-${randomUUID().slice(0, 8)}`;
  const queue = new QueueClient(connection, name);
  const poisonQueue = new QueueClient(connection, `${name}-poison`);
  const accepted: Notification[] = [];
  const warnings: string[] = [];
  const logLines: string[] = [];
  const logger = createLogger('debug', { write: (l: string) => void logLines.push(l) });
  const clock = { now: () => Date.now() };
  const intake = new NotificationIntake({
    keyring: new Map([[KEY.keyId, KEY.key]]), clock, seen: new SeenEvents(clock), isReady: options.ready ?? (() => true),
    accept: (n) => void accepted.push(n), logger,
  });
  const registry = new Registry();
  const consumer = new StorageQueueConsumer({
    queue, poisonQueue, intake, visibilityTimeoutSeconds: 1, maxDequeueCount: 2, maxPollIntervalMs: 100, logger, registry,
    warn: async (reason, text) => void warnings.push(`${reason}: ${text}`),
  });
  return { queue, poisonQueue, accepted, warnings, logLines, consumer, registry };
}

const count = async (q: QueueClient): Promise<number> => ((await q.exists()) ? (await q.getProperties()).approximateMessagesCount ?? 0 : 0);

describe('StorageQueueConsumer (Azurite)', () => {
  it('accepts and deletes a valid message however old its signature; poisons forged and malformed ones; blocks nothing', async () => {
    const t = setup();
    await t.queue.create();
    await t.queue.sendMessage(message('e-forged', { keyId: KEY.keyId, key: new Uint8Array(32).fill(9) }));
    await t.queue.sendMessage(Buffer.from('not an envelope').toString('base64'));
    await t.queue.sendMessage(message('e-good'));
    await t.queue.sendMessage(message('e-good')); // Event Grid / Function redelivery: a duplicate, deleted

    while ((await t.consumer.pollOnce()) > 0);

    expect(t.accepted.map((n) => n.eventId)).toEqual(['e-good']);
    expect(await count(t.queue)).toBe(0);
    expect(await count(t.poisonQueue)).toBe(2);
    expect(t.warnings).toHaveLength(2);
    expect(t.warnings.join('\n')).toMatch(/NotificationPoisoned: .*signature refused: bad-signature/);
    const metrics = await t.registry.metrics();
    expect(metrics).toContain('akvsync_queue_messages_poisoned_total{reason="unauthorized"} 1');
    expect(metrics).toContain('akvsync_queue_messages_poisoned_total{reason="malformed"} 1');
    expect(t.logLines.join('\n')).not.toContain('not an envelope');
  });

  it('leaves a message it cannot accept yet for the visibility timeout, then poisons it after maxDequeueCount', async () => {
    const t = setup({ ready: () => false });
    await t.queue.create();
    await t.queue.sendMessage(message('e-early'));
    t.consumer.start();
    try {
      const until = Date.now() + 30_000;
      while ((await count(t.poisonQueue)) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await t.consumer.stop();
    }
    expect(await count(t.poisonQueue)).toBe(1);
    expect(await count(t.queue)).toBe(0);
    expect(t.warnings.join('\n')).toMatch(/not accepted after 2 receptions/);
  });

  it('leaves a message signed with a key id the keyring lacks (a rotation not yet reloaded) until maxDequeueCount, then poisons it', async () => {
    const t = setup();
    await t.queue.create();
    await t.queue.sendMessage(message('e-new-key', { keyId: 'rotated-2', key: new Uint8Array(32).fill(4) }));
    await t.consumer.pollOnce();
    expect(await count(t.poisonQueue)).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    await t.consumer.pollOnce();
    expect(await count(t.poisonQueue)).toBe(1);
    expect(t.warnings.join('\n')).toMatch(/signature refused: unknown-key/);
  });
});
