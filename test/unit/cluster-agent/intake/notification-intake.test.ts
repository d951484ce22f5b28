import type { Notification } from '../../../../core/notification/notification.js';
import { signNotification } from '../../../../core/notification/signature.js';
import { NotificationIntake } from '../../../../cluster-agent/intake/notification-intake.js';
import { SeenEvents } from '../../../../cluster-agent/intake/seen-events.js';
import { createLogger } from '../../../../cluster-agent/logger.js';
import { AgentMetrics } from '../../../../cluster-agent/metrics.js';
import { ManualScheduler } from '../support/manual-scheduler.js';

const KEY = { keyId: 'cluster-a-1', key: new Uint8Array(32).fill(7) };
const body = (eventId = 'e-1'): string => JSON.stringify({
  vault: 'kv1', objectType: 'Secret', objectName: 'db-password', version: 'ee059b2bb5bc48398a53b168c6cdcb10',
  eventType: 'Microsoft.KeyVault.SecretNewVersionCreated', eventId, eventTime: '2026-01-01T00:00:00Z',
});

function setup(ready = true) {
  const clock = new ManualScheduler();
  const accepted: Notification[] = [];
  const logLines: string[] = [];
  const metrics = new AgentMetrics(() => 0);
  const intake = new NotificationIntake({
    keyring: new Map([[KEY.keyId, KEY.key]]), clock, seen: new SeenEvents(clock), isReady: () => ready,
    accept: (n) => void accepted.push(n), logger: createLogger('debug', { write: (l: string) => void logLines.push(l) }), metrics,
  });
  const nowSeconds = Math.floor(clock.now() / 1000);
  return { intake, accepted, logLines, metrics, nowSeconds };
}

describe('NotificationIntake', () => {
  it('queue mode accepts a notification signed long ago (no timestamp window); push mode refuses it', () => {
    const t = setup();
    const old = signNotification(KEY, t.nowSeconds - 3 * 3600, body('e-queued'));
    expect(t.intake.receive(old, 'push')).toEqual({ outcome: 'unauthorized', reason: 'stale-timestamp' });
    expect(t.intake.receive(old, 'queue')).toEqual({ outcome: 'accepted' });
    expect(t.accepted.map((n) => n.eventId)).toEqual(['e-queued']);
  });

  it('dedupes by event id across modes: a pushed event delivered again from the queue is a duplicate', () => {
    const t = setup();
    const signed = signNotification(KEY, t.nowSeconds, body());
    expect(t.intake.receive(signed, 'push').outcome).toBe('accepted');
    expect(t.intake.receive(signed, 'queue').outcome).toBe('duplicate');
    expect(t.accepted).toHaveLength(1);
  });

  it('refuses a bad signature in queue mode too, and records nothing', () => {
    const t = setup();
    const forged = signNotification({ keyId: KEY.keyId, key: new Uint8Array(32).fill(9) }, t.nowSeconds, body());
    expect(t.intake.receive(forged, 'queue')).toEqual({ outcome: 'unauthorized', reason: 'bad-signature' });
    expect(t.intake.receive(signNotification(KEY, t.nowSeconds, body()), 'queue').outcome).toBe('accepted');
  });

  it('names the bad field of a well-signed malformed body, never the body', () => {
    const t = setup();
    const bad = JSON.stringify({ ...JSON.parse(body()) as object, objectType: 'Blob' });
    expect(t.intake.receive(signNotification(KEY, t.nowSeconds, bad), 'queue')).toEqual({ outcome: 'malformed', field: 'objectType' });
    expect(t.logLines.join('\n')).not.toContain('db-password');
  });

  it('answers not-ready before verifying anything, so the transport retries later', () => {
    const t = setup(false);
    expect(t.intake.receive(signNotification(KEY, t.nowSeconds, body()), 'queue')).toEqual({ outcome: 'not-ready' });
    expect(t.accepted).toEqual([]);
  });

  it('counts transport refusals with the same metric as its own outcomes', async () => {
    const t = setup();
    t.intake.refused({ outcome: 'too-large' });
    t.intake.receive(signNotification(KEY, t.nowSeconds, body()), 'push');
    const text = await t.metrics.registry.metrics();
    expect(text).toContain('akvsync_notifications_total{outcome="too-large"} 1');
    expect(text).toContain('akvsync_notifications_total{outcome="accepted"} 1');
    expect(t.logLines.some((l) => l.includes('"outcome":"too-large"') && l.includes('notification refused'))).toBe(true);
  });
});
