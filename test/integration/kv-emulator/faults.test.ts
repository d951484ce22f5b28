/**
 * Injected faults as the real SDK sees them: a 429 with Retry-After is retried and succeeds, a 503 that never
 * clears exhausts the client's retries, `times` limits a rule, latency only delays, the authority can fail too.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { ClientSecretCredential } from '@azure/identity';
import { type TrustedEmulator, startTrustedEmulator } from './trusted-emulator.js';

let t: TrustedEmulator;
beforeAll(async () => {
  t = await startTrustedEmulator();
  await t.secretClient('alpha').setSecret('throttled', 'value'); // warms the client: challenge done, token cached
});
afterAll(async () => {
  await t.emulator.close();
});
beforeEach(() => {
  t.emulator.clearFaults();
  t.emulator.resetCounters();
});

describe('fault injection', () => {
  it('survives one injected 429 with Retry-After: two calls, the second succeeds', async () => {
    t.emulator.injectFault({ vault: 'alpha', method: 'GET', path: /^\/secrets\/throttled/, status: 429, retryAfterSeconds: 0, times: 1 });

    const secret = await t.secretClient('alpha').getSecret('throttled');

    expect(secret.value).toBe('value');
    expect(t.emulator.requestCount({ vault: 'alpha', operation: 'getSecret' })).toBe(2);
    expect(t.emulator.counters()).toMatchObject({ 'alpha getSecret 429': 1, 'alpha getSecret 200': 1 });
  });

  it('a 503 that never clears exhausts the retries and surfaces the status', async () => {
    t.emulator.injectFault({ vault: 'alpha', status: 503 });
    const client = t.secretClient('alpha', { retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 } });

    const error = await client.getSecret('throttled').then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(RestError);
    expect((error as RestError).statusCode).toBe(503);
    expect((error as RestError).code).toBe('ServiceUnavailable');
    expect(t.emulator.requestCount({ vault: 'alpha', operation: 'getSecret' })).toBe(3);
  });

  it('applies a rule only to its vault, method and path, and only `times` times', async () => {
    t.emulator.injectFault({ vault: 'beta', status: 500 });
    t.emulator.injectFault({ vault: 'alpha', method: 'PUT', status: 500, times: 2 });
    const client = t.secretClient('alpha', { retryOptions: { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 5 } });

    expect((await client.getSecret('throttled')).value).toBe('value');
    await client.setSecret('after-two-failures', 'v');

    expect(t.emulator.counters()).toMatchObject({ 'alpha setSecret 500': 2, 'alpha setSecret 200': 1, 'alpha getSecret 200': 1 });
  });

  it('added latency delays but does not fail a request', async () => {
    t.emulator.injectFault({ vault: 'alpha', latencyMs: 50, times: 1 });
    expect((await t.secretClient('alpha').getSecret('throttled')).value).toBe('value');
    expect(t.emulator.requestCount()).toBe(1);
    expect(t.emulator.counters()['alpha getSecret 200']).toBe(1);
  });

  it('can fail the token endpoint, which the credential reports', async () => {
    t.emulator.injectFault({ vault: '(authority)', path: /\/oauth2\/v2\.0\/token$/, status: 500 });
    const fresh = new ClientSecretCredential(t.emulator.tenantId, t.emulator.clientId, t.emulator.clientSecret, {
      authorityHost: t.emulator.authorityHost,
      disableInstanceDiscovery: true,
      retryOptions: { maxRetries: 0 },
    });

    await expect(fresh.getToken('https://vault.azure.net/.default')).rejects.toThrow();
    expect(t.emulator.requestCount({ operation: 'token' })).toBeGreaterThanOrEqual(1);
    expect(t.emulator.counters()['(authority) token 200']).toBeUndefined();
  });

  it('refuses a rule that does nothing', () => {
    expect(() => t.emulator.injectFault({ vault: 'alpha' })).toThrow(/status or latencyMs/);
    expect(() => t.emulator.injectFault({ vault: 'alpha', status: 500, times: 0 })).toThrow(/times/);
  });
});
