/**
 * The local Functions host against a small probe app (fixtures/probe-app.ts): functions are learnt from the app's
 * own @azure/functions registrations, Event Grid and CloudEvents deliveries and handshakes are answered as the real
 * Event Grid extension answers them, HTTP triggers are served under /api, queue triggers run against Azurite (with
 * the platform's poison-queue behaviour) and timer triggers fire on their schedule.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { QueueClient } from '@azure/storage-queue';
import { startFunctionsHost, type FunctionsHost, type HostLogEntry } from '../../../scripts/functions-host/host.js';
import { getTestStack } from '../support/stack-client.js';

const probeApp = fileURLToPath(new URL('./fixtures/probe-app.ts', import.meta.url));
const failingApp = fileURLToPath(new URL('./fixtures/failing-app.ts', import.meta.url));

let host: FunctionsHost;
const logs: HostLogEntry[] = [];

const webhook = (functionName = 'probeEvents'): string => `${host.url}/runtime/webhooks/EventGrid?functionName=${functionName}`;
const post = (body: unknown, headers: Record<string, string>, functionName?: string): Promise<Response> =>
  fetch(webhook(functionName), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
interface Seen {
  seen: { id: string; preInvocationHook?: boolean }[];
  started: boolean;
  setting: string | null;
  queued: { message: unknown; dequeueCount: unknown; id: unknown }[];
  ticks: { isPastDue: unknown; hasStatus: boolean }[];
}
const seen = async (): Promise<Seen> => (await fetch(`${host.url}/api/probe/seen`)).json() as never;
const queueName = `probe-${randomUUID().slice(0, 8)}`;
let queue: QueueClient;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const storage = getTestStack().azurite.connectionString;
  queue = new QueueClient(storage, queueName);
  await queue.create();
  host = await startFunctionsHost({
    port: 0,
    appEntry: probeApp,
    env: { PROBE_SETTING: 'from-host-env', PROBE_STORAGE: storage, PROBE_QUEUE: queueName, PROBE_TIMER_SCHEDULE: '*/1 * * * * *' },
    queues: { maxPollingInterval: '00:00:00.200', maxDequeueCount: 2 },
    onLog: (e) => logs.push(e),
  });
});
afterAll(() => host.close());

describe('local Functions host', () => {
  it('learns the functions from the app registration and listens on loopback', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.functions.sort()).toEqual(['probeEcho', 'probeEvents', 'probeQueue', 'probeSeen', 'probeTimer']);
    const status = await fetch(`${host.url}/admin/host/status`);
    expect(await status.json()).toEqual({ state: 'Running', functions: expect.arrayContaining(['probeEvents']) });
  });

  it('answers the Event Grid SubscriptionValidation handshake without invoking the function', async () => {
    const res = await post(
      [{ id: 'v-1', topic: 't', subject: '', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'F0C1-CODE', validationUrl: 'https://127.0.0.1:1/x' }, eventTime: '2025-03-11T09:00:00Z', dataVersion: '2', metadataVersion: '1' }],
      { 'aeg-event-type': 'SubscriptionValidation' },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: 'F0C1-CODE' });
    expect((await seen()).seen.map((e) => e.id)).not.toContain('v-1');
  });

  it('answers the CloudEvents OPTIONS abuse-protection handshake', async () => {
    const res = await fetch(webhook(), { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    expect(res.headers.get('webhook-allowed-rate')).toBe('*');
    expect((await fetch(webhook(), { method: 'OPTIONS' })).status).toBe(400);
  });

  it('invokes the function once per event of an Event Grid batch and answers 200', async () => {
    const res = await post([{ id: 'eg-1', eventType: 't', data: {} }, { id: 'eg-2', eventType: 't', data: {} }], { 'aeg-event-type': 'Notification' });
    expect(res.status).toBe(200);
    expect((await seen()).seen.map((e) => e.id)).toEqual(expect.arrayContaining(['eg-1', 'eg-2']));
  });

  it('answers 500 when any invocation threw, so Event Grid retries, after invoking the others', async () => {
    const res = await post([{ id: 'eg-fail', eventType: 't', data: { fail: true } }, { id: 'eg-after-fail', eventType: 't', data: {} }], { 'aeg-event-type': 'Notification' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: '1 of 2 invocations failed', failedEventIds: ['eg-fail'] });
    expect((await seen()).seen.map((e) => e.id)).toContain('eg-after-fail');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', source: 'host', functionName: 'probeEvents', message: expect.stringMatching(/Failed.*probe asked to fail/) }));
  });

  it('wraps a Notification whose body is one event object into a one-element batch, as the extension does', async () => {
    const res = await post({ id: 'eg-single', eventType: 't', data: {} }, { 'aeg-event-type': 'Notification' });
    expect(res.status).toBe(200);
    expect((await seen()).seen.map((e) => e.id)).toContain('eg-single');
  });

  it('answers Unsubscribe with 202 without invoking the function', async () => {
    const res = await post({ id: 'unsub' }, { 'aeg-event-type': 'Unsubscribe' });
    expect(res.status).toBe(202);
    expect((await seen()).seen.map((e) => e.id)).not.toContain('unsub');
  });

  it('takes the validation code from a single-object handshake, and from double-encoded CloudEvents data', async () => {
    const object = await post({ id: 'v-2', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'OBJ-CODE' } }, { 'aeg-event-type': 'SubscriptionValidation' });
    const cloudEvent = await post(
      { specversion: '1.0', id: 'v-3', type: 'Microsoft.EventGrid.SubscriptionValidationEvent', source: '/s', data: JSON.stringify({ validationCode: 'CE-CODE' }) },
      { 'aeg-event-type': 'SubscriptionValidation', 'content-type': 'application/cloudevents+json' },
    );
    expect([await object.json(), await cloudEvent.json()]).toEqual([{ validationResponse: 'OBJ-CODE' }, { validationResponse: 'CE-CODE' }]);
  });

  it('accepts CloudEvents 1.0, structured and batched (Event Grid sends aeg-event-type with them too)', async () => {
    const ce = (id: string) => ({ specversion: '1.0', id, type: 't', source: '/s', time: '2025-03-11T09:00:00Z', data: {} });
    const one = await post(ce('ce-1'), { 'content-type': 'application/cloudevents+json; charset=utf-8', 'aeg-event-type': 'Notification' });
    const batch = await post([ce('ce-2'), ce('ce-3')], { 'content-type': 'application/cloudevents-batch+json; charset=utf-8', 'aeg-event-type': 'Notification' });
    expect([one.status, batch.status]).toEqual([200, 200]);
    expect((await seen()).seen.map((e) => e.id)).toEqual(expect.arrayContaining(['ce-1', 'ce-2', 'ce-3']));
  });

  it('runs the app\'s appStart and preInvocation hooks', async () => {
    const state = await seen();
    expect(state.started).toBe(true);
    expect(state.seen.length).toBeGreaterThan(0);
    expect(state.seen.every((e) => e.preInvocationHook === true)).toBe(true);
  });

  it('passes app settings to the app and logs what the app logs', async () => {
    expect((await seen()).setting).toBe('from-host-env');
    expect(logs).toContainEqual(expect.objectContaining({ source: 'app', functionName: 'probeEvents', message: expect.stringContaining('probeEvents got') }));
  });

  it.each<[string, () => Promise<Response>, number]>([
    ['an unknown function', () => post([], { 'aeg-event-type': 'Notification' }, 'nope'), 404],
    ['an HTTP-triggered function on the Event Grid webhook', () => post([], { 'aeg-event-type': 'Notification' }, 'probeSeen'), 404],
    ['a body that is not JSON', () => post('{not json', { 'aeg-event-type': 'Notification' }), 400],
    ['a missing aeg-event-type', () => post([], {}), 400],
    ['a Notification that is neither an array nor an object', () => post(42, { 'aeg-event-type': 'Notification' }), 400],
    ['a CloudEvent without aeg-event-type (the extension decides by that header alone)', () => post({ specversion: '1.0', id: 'x' }, { 'content-type': 'application/cloudevents+json' }), 400],
    ['an aeg-event-type the extension does not know', () => post([], { 'aeg-event-type': 'SubscriptionDeletion' }), 400],
    ['a validation without a code', () => post([{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: {} }], { 'aeg-event-type': 'SubscriptionValidation' }), 400],
    ['a manual run of an HTTP function', () => fetch(`${host.url}/admin/functions/probeSeen`, { method: 'POST', body: '{}' }), 404],
    ['a GET', () => fetch(webhook()), 405],
    ['a body over 1 MiB', () => post([{ id: 'big', data: 'x'.repeat(1024 * 1024) }], { 'aeg-event-type': 'Notification' }), 413],
    ['an unknown path', () => fetch(`${host.url}/nothing-here`), 404],
  ])('refuses %s', async (_name, request, status) => {
    const res = await request();
    expect(res.status).toBe(status);
    await res.arrayBuffer();
  });

  it('runs a queue trigger against Azurite: base64 JSON arrives parsed with its metadata, and the message is deleted', async () => {
    await queue.sendMessage(Buffer.from(JSON.stringify({ probe: 'q-1' })).toString('base64'));
    const got = await eventually('the queue function', async () => (await seen()).queued.find((q) => (q.message as { probe?: string }).probe === 'q-1'));
    expect(got).toMatchObject({ dequeueCount: 1, id: expect.any(String) });
    await eventually('the message to be deleted', async () => ((await queue.getProperties()).approximateMessagesCount === 0 ? true : undefined));
  });

  it('tries a failing message again, then moves it to <queue>-poison after maxDequeueCount', async () => {
    await queue.sendMessage(Buffer.from(JSON.stringify({ probe: 'q-poison', fail: true })).toString('base64'));
    const poison = new QueueClient(getTestStack().azurite.connectionString, `${queueName}-poison`);
    const moved = await eventually('the poison queue', async () => ((await poison.exists()) ? (await poison.peekMessages()).peekedMessageItems[0] : undefined));
    expect(JSON.parse(Buffer.from(moved.messageText, 'base64').toString('utf8'))).toEqual({ probe: 'q-poison', fail: true });
    const attempts = (await seen()).queued.filter((q) => (q.message as { probe?: string }).probe === 'q-poison');
    expect(attempts.map((a) => a.dequeueCount)).toEqual([1, 2]);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('fires a timer trigger on start-up and then on its NCRONTAB schedule, with the timer object Azure passes', async () => {
    const ticks = await eventually('three timer ticks', async () => {
      const t = (await seen()).ticks;
      return t.length >= 3 ? t : undefined;
    });
    expect(ticks.every((t) => t.isPastDue === false && t.hasStatus)).toBe(true);
  });

  it('runs a queue function now through the admin API, with the given input', async () => {
    const res = await fetch(`${host.url}/admin/functions/probeQueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'by-hand' }) });
    expect(res.status).toBe(202);
    await eventually('the manual run', async () => (await seen()).queued.find((q) => q.message === 'by-hand'));
  });

  it('serves HTTP triggers with route parameters, query, body and the returned status and headers', async () => {
    const res = await fetch(`${host.url}/api/probe/echo/bob?q=1`, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-function')).toBe('probeEcho');
    expect(await res.json()).toEqual({ name: 'bob', query: '1', body: 'hello' });
    expect((await fetch(`${host.url}/api/probe/echo/bob`, { method: 'GET' })).status).toBe(405);
  });
});

describe('local Functions host start-up', () => {
  it('fails with the app error when the app entry cannot load', async () => {
    await expect(startFunctionsHost({ port: 0, appEntry: failingApp, onLog: () => undefined })).rejects.toThrow(/the app failed to load: failing-app: configuration missing/);
  });
});
