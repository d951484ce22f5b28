/**
 * The local Functions host against a small probe app (fixtures/probe-app.ts): functions are learnt from the app's
 * own @azure/functions registrations, Event Grid and CloudEvents deliveries and handshakes are answered as Azure
 * answers them, and HTTP triggers are served under /api.
 */
import { fileURLToPath } from 'node:url';
import { startFunctionsHost, type FunctionsHost, type HostLogEntry } from '../../../scripts/functions-host/host.js';

const probeApp = fileURLToPath(new URL('./fixtures/probe-app.ts', import.meta.url));
const failingApp = fileURLToPath(new URL('./fixtures/failing-app.ts', import.meta.url));

let host: FunctionsHost;
const logs: HostLogEntry[] = [];

const webhook = (functionName = 'probeEvents'): string => `${host.url}/runtime/webhooks/EventGrid?functionName=${functionName}`;
const post = (body: unknown, headers: Record<string, string>, functionName?: string): Promise<Response> =>
  fetch(webhook(functionName), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const seen = async (): Promise<{ seen: { id: string; preInvocationHook?: boolean }[]; started: boolean; setting: string | null }> => (await fetch(`${host.url}/api/probe/seen`)).json() as never;

beforeAll(async () => {
  host = await startFunctionsHost({ port: 0, appEntry: probeApp, env: { PROBE_SETTING: 'from-host-env' }, onLog: (e) => logs.push(e) });
});
afterAll(() => host.close());

describe('local Functions host', () => {
  it('learns the functions from the app registration and listens on loopback', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.functions.sort()).toEqual(['probeEcho', 'probeEvents', 'probeSeen']);
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

  it('accepts CloudEvents 1.0, structured and batched', async () => {
    const ce = (id: string) => ({ specversion: '1.0', id, type: 't', source: '/s', time: '2025-03-11T09:00:00Z', data: {} });
    const one = await post(ce('ce-1'), { 'content-type': 'application/cloudevents+json; charset=utf-8' });
    const batch = await post([ce('ce-2'), ce('ce-3')], { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' });
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
    ['an Event Grid delivery that is not an array', () => post({ id: 'x' }, { 'aeg-event-type': 'Notification' }), 400],
    ['a validation without a code', () => post([{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: {} }], { 'aeg-event-type': 'SubscriptionValidation' }), 400],
    ['a GET', () => fetch(webhook()), 405],
    ['a body over 1 MiB', () => post([{ id: 'big', data: 'x'.repeat(1024 * 1024) }], { 'aeg-event-type': 'Notification' }), 413],
    ['an unknown path', () => fetch(`${host.url}/nothing-here`), 404],
  ])('refuses %s', async (_name, request, status) => {
    const res = await request();
    expect(res.status).toBe(status);
    await res.arrayBuffer();
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
