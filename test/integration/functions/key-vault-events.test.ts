/**
 * The real Function app (functions/index.ts) on the local Functions host, pushing to a real HTTPS receiver that
 * stands in for a cluster agent: Event Grid's handshakes, a real-shaped Key Vault delivery that ends in a
 * correctly signed POST, a malformed event that is acknowledged, and a failing receiver that makes the host
 * answer non-2xx so Event Grid would retry.
 */
import { verifySignature } from '../../../core/notification/signature.js';
import { startFunctionsHost, type FunctionsHost, type HostLogEntry } from '../../../scripts/functions-host/host.js';
import { FIXTURE_VAULT, cloudEventItem, eventGridItem, loadEventFixture } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BASE64, SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS, clusterEntry } from '../../unit/functions/support/cluster-settings.js';
import { signedNotificationFrom, startHttpsReceiver, type HttpsReceiver, type ReceivedRequest } from '../../unit/functions/support/https-receiver.js';

let receiver: HttpsReceiver;
let host: FunctionsHost;
const logs: HostLogEntry[] = [];

function appEnv(clusters: Record<string, unknown>[]): Record<string, string> {
  return { AKVSYNC_CLUSTERS: JSON.stringify(clusters), AKVSYNC_PUSH_TIMEOUT_MS: '3000', APPLICATIONINSIGHTS_CONNECTION_STRING: '' };
}

const deliver = (body: unknown, headers: Record<string, string> = { 'aeg-event-type': 'Notification' }): Promise<Response> =>
  fetch(`${host.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const pushesFor = (eventId: string): ReceivedRequest[] => receiver.requests.filter((r) => r.body.includes(eventId));

function secretVersion(id: string, version: string): Record<string, unknown> {
  return eventGridItem({ envelope: { id }, data: { Id: `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${version}`, Version: version } });
}

beforeAll(async () => {
  receiver = await startHttpsReceiver();
  host = await startFunctionsHost({
    port: 0,
    env: appEnv([clusterEntry({ name: 'alpha', keyId: 'alpha-2025-03', pushUrl: receiver.url, caPem: receiver.ca.certPem, vaults: [FIXTURE_VAULT] })]),
    onLog: (entry) => logs.push(entry),
  });
});
afterEach(() => {
  receiver.respond = () => ({ status: 202 });
});
afterAll(async () => {
  await host.close();
  await receiver.close();
});

describe('the Function app on the local Functions host', () => {
  it('registers keyVaultEvents as an Event Grid triggered function', () => {
    expect(host.functions).toEqual(['keyVaultEvents']);
  });

  it('completes the Event Grid subscription handshake', async () => {
    const res = await deliver(loadEventFixture('eventgrid-subscription-validation.json'), { 'aeg-event-type': 'SubscriptionValidation' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
  });

  it('completes the CloudEvents abuse-protection handshake', async () => {
    const res = await fetch(`${host.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`, { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
  });

  it('turns a Key Vault event into a correctly signed notification POSTed over TLS', async () => {
    const res = await deliver(loadEventFixture('eventgrid-secret-new-version-created.json'));
    expect(res.status).toBe(200);

    const [push, ...more] = pushesFor('00000001-95a7-4e7c-8299-2eb17ee9ad64');
    expect(more).toEqual([]);
    expect(push?.path).toBe('/v1/notifications');
    expect(JSON.parse(push?.body ?? '')).toEqual({
      vault: 'kv-akvsync-prod',
      objectType: 'Secret',
      objectName: 'db-password',
      version: 'ee059b2bb5bc48398a53b168c6cdcb10',
      eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
      eventId: '00000001-95a7-4e7c-8299-2eb17ee9ad64',
      eventTime: '2025-03-11T09:15:42.1036736Z',
    });
    const signed = signedNotificationFrom(push!);
    expect(verifySignature(new Map([['alpha-2025-03', new Uint8Array(SIGNING_KEY_BYTES)]]), signed, signed.timestamp, 300)).toEqual({ ok: true, keyId: 'alpha-2025-03' });
  });

  it('does not push again when Event Grid redelivers the same event', async () => {
    const event = secretVersion('evt-redelivered', 'aa000000000000000000000000000001');
    expect((await deliver([event])).status).toBe(200);
    expect((await deliver([event])).status).toBe(200);
    expect(pushesFor('evt-redelivered')).toHaveLength(1);
  });

  it('accepts the CloudEvents 1.0 schema', async () => {
    const version = 'cc000000000000000000000000000003';
    const event = cloudEventItem({ envelope: { id: 'evt-cloudevent' }, data: { Id: `https://${FIXTURE_VAULT}.vault.azure.net/secrets/db-password/${version}`, Version: version } });
    const res = await deliver(event, { 'content-type': 'application/cloudevents+json; charset=utf-8', 'aeg-event-type': 'Notification' });
    expect(res.status).toBe(200);
    expect(pushesFor('evt-cloudevent')).toHaveLength(1);
  });

  it('acknowledges a malformed event (200) without pushing anything', async () => {
    const malformed = eventGridItem({ envelope: { id: 'evt-malformed' }, data: { Version: undefined } });
    const res = await deliver([malformed]);
    expect(res.status).toBe(200);
    expect(pushesFor('evt-malformed')).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ source: 'app', level: 'warning', message: expect.stringMatching(/malformed event acknowledged.*evt-malformed.*data\.Version/) }));
  });

  it('answers non-2xx while the agent fails, so Event Grid retries, and delivers once it recovers', async () => {
    const event = secretVersion('evt-retried', 'bb000000000000000000000000000002');
    receiver.respond = () => ({ status: 503, body: 'agent restarting' });
    const failed = await deliver([event]);
    expect(failed.status).toBe(500);

    receiver.respond = () => ({ status: 202 });
    const retried = await deliver([event]);
    expect(retried.status).toBe(200);
    expect(pushesFor('evt-retried').length).toBe(2);
  });

  it('never logs key material', () => {
    const text = JSON.stringify(logs);
    expect(text).toContain('notification delivered');
    for (const leak of SIGNING_KEY_RENDERINGS) expect(text).not.toContain(leak);
  });
});

describe('the Function app with a bad configuration', () => {
  it('does not start, and the error names the setting without quoting the key', async () => {
    const bad = appEnv([clusterEntry({ pushUrl: 'http://127.0.0.1:1/v1/notifications' })]);
    bad.AKVSYNC_CLUSTERS = bad.AKVSYNC_CLUSTERS!.slice(0, -2);
    const error: unknown = await startFunctionsHost({ port: 0, env: bad, onLog: () => undefined }).then(
      (h) => h.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/the app failed to load: invalid Function configuration:\n {2}- AKVSYNC_CLUSTERS: not valid JSON/);
    expect((error as Error).message).not.toContain(SIGNING_KEY_BASE64);
  });
});
