import { TerminalError, TransientError } from '../../../../core/errors.js';
import { PUSH_TIMESTAMP_WINDOW_SECONDS, type Notification, type SignedNotification } from '../../../../core/notification/notification.js';
import { verifySignature, type SigningKey } from '../../../../core/notification/signature.js';
import { toNotification } from '../../../../core/notification/notification-from-event.js';
import { NotificationSigner } from '../../../../core/notification/notification-signer.js';
import { HttpsNotificationSink, type PushTarget } from '../../../../functions/adapters/https-notification-sink.js';
import { createTestCa } from '../../../../scripts/local-stack/tls.js';
import { keyVaultEvent } from '../../../support/key-vault-events.js';
import { runNotificationConformance } from '../../../support/notification-conformance.js';
import { SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS } from '../support/cluster-settings.js';
import { signedNotificationFrom, startHttpsReceiver, type HttpsReceiver } from '../support/https-receiver.js';
import { ManualClock } from '../support/manual-clock.js';

const NOW_MS = Date.parse('2025-03-11T09:15:43.500Z');
const KEY: SigningKey = { keyId: 'alpha-2025-03', key: new Uint8Array(SIGNING_KEY_BYTES) };
const NOTIFICATION: Notification = toNotification(keyVaultEvent());

let receiver: HttpsReceiver;
const sinks: HttpsNotificationSink[] = [];

function sinkFor(target: Partial<PushTarget> = {}, options: { timeoutMs?: number } = {}): HttpsNotificationSink {
  const sink = new HttpsNotificationSink({
    targets: [{ name: 'alpha', pushUrl: receiver.url, caPem: receiver.ca.certPem, ...target }],
    timeoutMs: options.timeoutMs ?? 2000,
  });
  sinks.push(sink);
  return sink;
}

const signerAt = (nowMs: number, key: SigningKey = KEY): NotificationSigner => new NotificationSigner(() => key, new ManualClock(nowMs));
// The lookup is synchronous, so is signing.
const signed = (n: Notification = NOTIFICATION) => signerAt(NOW_MS).sign('alpha', n) as SignedNotification;
const deliveryError = (sink: HttpsNotificationSink): Promise<unknown> => sink.deliver('alpha', signed()).then(() => undefined, (e: unknown) => e);


beforeAll(async () => {
  receiver = await startHttpsReceiver();
});
afterEach(() => {
  receiver.respond = () => ({ status: 202 });
  receiver.requests.length = 0;
  sinks.splice(0).forEach((s) => s.close());
});
afterAll(() => receiver.close());

describe('HttpsNotificationSink', () => {
  it('POSTs the notification over TLS with signature headers the agent can verify', async () => {
    await sinkFor().deliver('alpha', signed());

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/notifications' });
    expect(request?.headers['content-type']).toBe('application/json');
    const onWire = signedNotificationFrom(request!);
    expect(onWire.keyId).toBe('alpha-2025-03');
    expect(onWire.timestamp).toBe(Math.floor(NOW_MS / 1000));
    const keyring = new Map([[KEY.keyId, KEY.key]]);
    expect(verifySignature(keyring, onWire, Math.floor(NOW_MS / 1000), PUSH_TIMESTAMP_WINDOW_SECONDS)).toEqual({ ok: true, keyId: 'alpha-2025-03' });
    expect(verifySignature(keyring, { ...onWire, body: onWire.body.replace('db-password', 'db-passwore') }, Math.floor(NOW_MS / 1000), 300)).toMatchObject({ ok: false });
  });

  it('sends names, version and event identity only: no secret value and no key material', async () => {
    await sinkFor().deliver('alpha', signed({ ...NOTIFICATION, value: 'hunter2' } as Notification));
    const [request] = receiver.requests;
    expect(Object.keys(JSON.parse(request!.body) as object).sort()).toEqual(['eventId', 'eventTime', 'eventType', 'objectName', 'objectType', 'vault', 'version']);
    const wire = JSON.stringify({ headers: request!.headers, body: request!.body });
    expect(wire).not.toContain('hunter2');
    for (const leak of SIGNING_KEY_RENDERINGS) expect(wire).not.toContain(leak);
  });

  it.each([500, 502, 503, 408, 429])('treats HTTP %i as transient (Event Grid retries)', async (status) => {
    receiver.respond = () => ({ status, headers: { 'retry-after': '7' }, body: '{"error":"busy"}' });
    const error = await deliveryError(sinkFor());
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: `PushHttp${status}`, retryAfterMs: 7000 });
    expect((error as Error).message).toContain(`cluster "alpha" answered HTTP ${status}: {"error":"busy"}`);
  });

  it.each([
    ['unknown-key', 'PushKeyUnknown'],
    ['stale-timestamp', 'PushTimestampStale'],
  ])('treats 401 %s as transient: a keyring update or a clock fix lets a later attempt through', async (reason, code) => {
    receiver.respond = () => ({ status: 401, body: JSON.stringify({ error: 'unauthorized', reason }) });
    const error = await deliveryError(sinkFor());
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code });
  });

  it.each(['bad-signature', 'malformed-signature'])('treats 401 %s as a refusal that retrying cannot fix', async (reason) => {
    receiver.respond = () => ({ status: 401, body: JSON.stringify({ error: 'unauthorized', reason }) });
    await expect(deliveryError(sinkFor())).resolves.toMatchObject({ code: 'PushRejected401', kind: 'terminal' });
  });

  it.each([401, 400, 403, 404, 413])('treats HTTP %i as a refusal that retrying cannot fix', async (status) => {
    receiver.respond = () => ({ status, body: '{"error":"bad-signature"}' });
    const error = await deliveryError(sinkFor());
    expect(error).toBeInstanceOf(TerminalError);
    expect(error).toMatchObject({ code: `PushRejected${status}` });
    for (const leak of SIGNING_KEY_RENDERINGS) expect((error as Error).message).not.toContain(leak);
  });

  it('does not follow redirects', async () => {
    receiver.respond = () => ({ status: 307, headers: { location: 'https://127.0.0.1:1/v1/notifications' } });
    await expect(deliveryError(sinkFor())).resolves.toMatchObject({ code: 'PushRejected307' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('times out a push the agent does not answer, as a transient failure', async () => {
    receiver.respond = () => 'hang';
    const error = await deliveryError(sinkFor({}, { timeoutMs: 150 }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PushTimeout' });
  });

  it('refuses an endpoint whose certificate the configured CA did not sign', async () => {
    const error = await deliveryError(sinkFor({ caPem: createTestCa('another CA').certPem }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PushNetworkError' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('does not trust a private CA unless it is configured for the cluster', async () => {
    await expect(deliveryError(sinkFor({ caPem: undefined }))).resolves.toMatchObject({ code: 'PushNetworkError' });
  });

  it('reports a refused connection as transient', async () => {
    const closed = await startHttpsReceiver(receiver.ca);
    const url = closed.url;
    await closed.close();
    await expect(deliveryError(sinkFor({ pushUrl: url }))).resolves.toMatchObject({ code: 'PushNetworkError', kind: 'transient' });
  });

  it('refuses a cluster it has no target for', async () => {
    await expect(sinkFor().deliver('nope', signed())).rejects.toMatchObject({ code: 'UnknownCluster', kind: 'terminal' });
  });
});

runNotificationConformance('the Function push client (over the wire)', {
  sign: async (key, timestamp, body) => {
    await sinkFor().deliver('alpha', signerAt(timestamp * 1000 + 999, key).signBody('alpha', body) as SignedNotification);
    const request = receiver.requests.at(-1);
    expect(request?.body).toBe(body);
    return signedNotificationFrom(request!);
  },
});
