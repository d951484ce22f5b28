import { format } from 'node:util';
import { InvocationContext } from '@azure/functions';
import { verifySignature } from '../../../core/notification/signature.js';
import { parseFunctionsConfig } from '../../../functions/config.js';
import { keyVaultEventsHandler } from '../../../functions/key-vault-events.js';
import { createFunctionRuntime, type FunctionRuntime } from '../../../functions/runtime.js';
import { eventGridItem } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BYTES, SIGNING_KEY_RENDERINGS, appSettings, clusterEntry } from './support/cluster-settings.js';
import { signedNotificationFrom, startHttpsReceiver, type HttpsReceiver } from './support/https-receiver.js';
import { InMemoryTelemetry } from './support/in-memory-telemetry.js';
import { ManualClock } from './support/manual-clock.js';

let receiver: HttpsReceiver;
let runtime: FunctionRuntime;
let telemetry: InMemoryTelemetry;
const allTelemetry: InMemoryTelemetry[] = [];
const NOW_MS = Date.parse('2025-03-11T09:15:44Z');
const logs: string[] = [];
const errors: string[] = [];

const handler = keyVaultEventsHandler(() => Promise.resolve(runtime));
const context = (): InvocationContext =>
  new InvocationContext({
    invocationId: 'test-invocation',
    functionName: 'keyVaultEvents',
    logHandler: (level, ...args) => logs.push(`${level} ${format(...args)}`),
  });
const invoke = (event: unknown): Promise<void> =>
  handler(event, context()).catch((error: unknown) => {
    errors.push(`${String(error)} ${JSON.stringify(error)}`);
    throw error;
  });

beforeAll(async () => {
  receiver = await startHttpsReceiver();
});
beforeEach(async () => {
  telemetry = new InMemoryTelemetry();
  allTelemetry.push(telemetry);
  const config = parseFunctionsConfig(appSettings([clusterEntry({ name: 'alpha', pushUrl: receiver.url, caPem: receiver.ca.certPem, vaults: ['*'] })]));
  runtime = await createFunctionRuntime(config, { telemetry, clock: new ManualClock(NOW_MS) });
  receiver.respond = () => ({ status: 202 });
});
afterEach(() => runtime.close());
afterAll(() => receiver.close());

describe('keyVaultEvents (Event Grid trigger handler)', () => {
  it('pushes a signed notification for a Key Vault event and returns normally', async () => {
    await invoke(eventGridItem({ envelope: { id: 'evt-delivered' } }));
    const request = receiver.requests.find((r) => r.body.includes('evt-delivered'));
    expect(request).toBeDefined();
    const signed = signedNotificationFrom(request!);
    const verdict = verifySignature(new Map([['prod-weu-2025-03', new Uint8Array(SIGNING_KEY_BYTES)]]), signed, Math.floor(NOW_MS / 1000), 300);
    expect(verdict).toEqual({ ok: true, keyId: 'prod-weu-2025-03' });
    expect(logs.join('\n')).toContain('notification delivered');
    expect(telemetry.total('delivered')).toBe(1);
  });

  it('returns normally for a malformed event (acknowledged, counted)', async () => {
    await invoke({ id: 'evt-malformed', eventType: 'Microsoft.KeyVault.SecretNewVersionCreated', data: 'nope' });
    expect(telemetry.total('invalid')).toBe(1);
    expect(logs.join('\n')).toMatch(/warning malformed event acknowledged, not retried .*evt-malformed/);
  });

  it('throws when the agent is unavailable, so Event Grid retries', async () => {
    receiver.respond = () => ({ status: 503, body: 'restarting' });
    await expect(invoke(eventGridItem({ envelope: { id: 'evt-503' } }))).rejects.toMatchObject({ code: 'DeliveryRetry', kind: 'transient' });
  });

  it('logs and acknowledges a notification the agent refuses', async () => {
    receiver.respond = () => ({ status: 401, body: '{"error":"bad-signature"}' });
    await invoke(eventGridItem({ envelope: { id: 'evt-401' } }));
    expect(logs.join('\n')).toMatch(/error delivery refused, acknowledged without retry .*PushRejected401/);
    expect(telemetry.total('failed')).toBe(1);
  });

  it('put no key material in any log line, error or telemetry item of the invocations above', () => {
    const everything = [...logs, ...errors, ...allTelemetry.map((t) => JSON.stringify(t.items))].join('\n');
    expect(logs.length).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeGreaterThan(0);
    expect(everything).toContain('alpha');
    for (const leak of SIGNING_KEY_RENDERINGS) expect(everything).not.toContain(leak);
  });
});
