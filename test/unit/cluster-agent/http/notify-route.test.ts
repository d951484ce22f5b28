import { fastify } from 'fastify';
import { NOTIFICATION_HEADERS, NOTIFICATION_PATH } from '../../../../core/notification/notification.js';
import type { Notification } from '../../../../core/notification/notification.js';
import { signNotification } from '../../../../core/notification/signature.js';
import { notifyRoute } from '../../../../cluster-agent/http/notify-route.js';
import { LeaderHandOff } from '../../../../cluster-agent/intake/leader-hand-off.js';
import { NotificationIntake } from '../../../../cluster-agent/intake/notification-intake.js';
import { ParkedNotifications } from '../../../../cluster-agent/intake/parked-notifications.js';
import { SeenEvents } from '../../../../cluster-agent/intake/seen-events.js';
import { verifyReceivedNotification } from '../../../../cluster-agent/intake/verify-notification.js';
import { createLogger } from '../../../../cluster-agent/logger.js';
import { AgentMetrics } from '../../../../cluster-agent/metrics.js';
import { runNotificationConformance } from '../../../support/notification-conformance.js';
import { issue } from '../../../support/test-certificates.js';
import { ManualScheduler } from '../support/manual-scheduler.js';

const KEY = { keyId: 'cluster-a-1', key: new Uint8Array(32).fill(7) };
const OTHER_KEY = { keyId: 'cluster-a-1', key: new Uint8Array(32).fill(9) };

const notification = (overrides: Partial<Notification> = {}): Notification => ({
  vault: 'kv1',
  objectType: 'Secret',
  objectName: 'db-password',
  version: 'ee059b2bb5bc48398a53b168c6cdcb10',
  eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
  eventId: '00eccf70-95a7-4e7c-8299-2eb17ee9ad64',
  eventTime: '2026-01-01T00:00:00Z',
  ...overrides,
});

async function setup(options: { ready?: boolean; parking?: boolean; leaderUnreachable?: boolean } = {}) {
  const clock = new ManualScheduler();
  const accepted: Notification[] = [];
  const logLines: string[] = [];
  const metrics = new AgentMetrics(() => 0);
  const app = fastify();
  const logger = createLogger('debug', { write: (l: string) => void logLines.push(l) });
  const intake = new NotificationIntake({
    keyring: new Map([[KEY.keyId, KEY.key]]),
    clock,
    seen: new SeenEvents(clock),
    isReady: () => options.ready ?? true,
    accept: (n) => void accepted.push(n),
    logger,
    metrics,
  });
  const parking = options.parking
    ? new ParkedNotifications({ scheduler: clock, logger, metrics, canTake: () => false, take: () => ({ outcome: 'accepted' }), max: 1 })
    : undefined;
  const leaderCert = options.leaderUnreachable ? (await issue('leader', { kty: 'EC' })).certPem : '';
  const handOff = options.leaderUnreachable ? new LeaderHandOff({ leaderAddress: () => '127.0.0.1:1', certPem: () => leaderCert, timeoutMs: 200 }) : undefined;
  await app.register(notifyRoute, { intake, logger, parking, handOff });
  const post = (body: string, opts: { key?: typeof KEY; at?: number; headers?: Record<string, string> } = {}) => {
    const signed = signNotification(opts.key ?? KEY, opts.at ?? Math.floor(clock.now() / 1000), body);
    return app.inject({
      method: 'POST',
      url: NOTIFICATION_PATH,
      headers: {
        'content-type': 'application/json',
        [NOTIFICATION_HEADERS.keyId]: signed.keyId,
        [NOTIFICATION_HEADERS.timestamp]: String(signed.timestamp),
        [NOTIFICATION_HEADERS.signature]: signed.signature,
        ...opts.headers,
      },
      payload: body,
    });
  };
  return { app, clock, accepted, logLines, metrics, post, parking, handOff };
}

describe('notify route', () => {
  it('accepts a signed notification (202) and enqueues it', async () => {
    const t = await setup();
    const res = await t.post(JSON.stringify(notification()));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });
    expect(t.accepted).toEqual([notification()]);
  });

  it('answers a replayed event id 200 duplicate and changes nothing', async () => {
    const t = await setup();
    const body = JSON.stringify(notification());
    expect((await t.post(body)).statusCode).toBe(202);
    await t.clock.advance(10_000);
    const replay = await t.post(body);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ status: 'duplicate' });
    expect(t.accepted).toHaveLength(1);
  });

  it('refuses a forged signature with 401 and does not record its event id', async () => {
    const t = await setup();
    const body = JSON.stringify(notification());
    const forged = await t.post(body, { key: OTHER_KEY });
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toEqual({ error: 'unauthorized', reason: 'bad-signature' });
    expect((await t.post(body)).statusCode).toBe(202);
    expect(t.accepted).toHaveLength(1);
  });

  it('refuses an expired timestamp, an unknown key id and missing headers with 401', async () => {
    const t = await setup();
    const body = JSON.stringify(notification());
    const stale = await t.post(body, { at: Math.floor(t.clock.now() / 1000) - 301 });
    expect(stale.json()).toEqual({ error: 'unauthorized', reason: 'stale-timestamp' });
    const unknown = await t.post(body, { key: { keyId: 'someone-else', key: KEY.key } });
    expect(unknown.json()).toEqual({ error: 'unauthorized', reason: 'unknown-key' });
    const missing = await t.app.inject({ method: 'POST', url: NOTIFICATION_PATH, headers: { 'content-type': 'application/json' }, payload: body });
    expect(missing.statusCode).toBe(401);
    expect(t.accepted).toEqual([]);
  });

  it('answers 400 for a well-signed but malformed body, naming the field', async () => {
    const t = await setup();
    const res = await t.post(JSON.stringify({ ...notification(), objectType: 'Blob' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid-notification', field: 'objectType' });
    expect(t.accepted).toEqual([]);
  });

  it('answers 415 for a content type other than JSON', async () => {
    const t = await setup();
    const res = await t.post(JSON.stringify(notification()), { headers: { 'content-type': 'text/plain' } });
    expect(res.statusCode).toBe(415);
    expect(t.accepted).toEqual([]);
  });

  it('answers 413 for a body over 4096 bytes', async () => {
    const t = await setup();
    const res = await t.post(JSON.stringify({ ...notification(), pad: 'x'.repeat(5000) }));
    expect(res.statusCode).toBe(413);
    expect(t.accepted).toEqual([]);
  });

  it('answers 503 until the agent is ready', async () => {
    const t = await setup({ ready: false });
    const res = await t.post(JSON.stringify(notification()));
    expect(res.statusCode).toBe(503);
    expect(t.accepted).toEqual([]);
  });

  it('with several replicas, parks a verified notification no leader can take (202), refuses a forged one (401), 503 when full', async () => {
    const t = await setup({ ready: false, parking: true });
    expect((await t.post(JSON.stringify(notification()), { key: OTHER_KEY })).statusCode).toBe(401);
    expect(t.parking?.size).toBe(0);
    const res = await t.post(JSON.stringify(notification()));
    expect([res.statusCode, res.json()]).toEqual([202, { status: 'accepted' }]);
    expect([t.parking?.size, t.accepted]).toEqual([1, []]);
    expect((await t.post(JSON.stringify(notification({ eventId: 'another' })))).statusCode).toBe(503);
    expect(await t.metrics.registry.metrics()).toContain('akvsync_notifications_total{outcome="parked"} 1');
  });

  it('parks a notification the leader cannot be reached for', async () => {
    const t = await setup({ parking: true, leaderUnreachable: true });
    const res = await t.post(JSON.stringify(notification()));
    expect(res.statusCode).toBe(202);
    expect([t.parking?.size, t.accepted]).toEqual([1, []]);
    t.handOff?.close();
  });

  it('counts notifications by outcome', async () => {
    const t = await setup();
    await t.post(JSON.stringify(notification()));
    await t.post(JSON.stringify(notification()));
    await t.post(JSON.stringify(notification()), { key: OTHER_KEY });
    const text = await t.metrics.registry.metrics();
    expect(text).toContain('akvsync_notifications_total{outcome="accepted"} 1');
    expect(text).toContain('akvsync_notifications_total{outcome="duplicate"} 1');
    expect(text).toContain('akvsync_notifications_total{outcome="unauthorized"} 1');
  });
});

runNotificationConformance('agent verifier', {
  verify: (keyring, signed, nowSeconds, mode) => verifyReceivedNotification(keyring, signed, nowSeconds, mode),
});
