import { FaultInjector } from '../../../../scripts/kv-emulator/fault-injector.js';
import { AUTHORITY } from '../../../../scripts/kv-emulator/request-stats.js';

describe('FaultInjector', () => {
  it('matches vault, method and path, and expires after `times`', () => {
    const faults = new FaultInjector();
    faults.add({ vault: 'Alpha', method: 'get', path: /^\/secrets\/x/, status: 429, retryAfterSeconds: 1, times: 2 });
    expect(faults.take('beta', 'GET', '/secrets/x')).toBeUndefined();
    expect(faults.take('alpha', 'PUT', '/secrets/x')).toBeUndefined();
    expect(faults.take('alpha', 'GET', '/secrets/y')).toBeUndefined();
    expect(faults.take('alpha', 'GET', '/secrets/x')).toEqual({ status: 429, retryAfterSeconds: 1, latencyMs: 0 });
    expect(faults.take('alpha', 'GET', '/secrets/x/')).toBeDefined();
    expect(faults.take('alpha', 'GET', '/secrets/x')).toBeUndefined();
  });

  it('applies a rule without a vault to every vault but not to the authority', () => {
    const faults = new FaultInjector();
    faults.add({ status: 503 });
    expect(faults.take('alpha', 'GET', '/')).toBeDefined();
    expect(faults.take('beta', 'GET', '/')).toBeDefined();
    expect(faults.take(AUTHORITY, 'POST', '/t/oauth2/v2.0/token')).toBeUndefined();
    faults.add({ vault: AUTHORITY, latencyMs: 5, times: 1 });
    expect(faults.take(AUTHORITY, 'POST', '/t/oauth2/v2.0/token')).toEqual({ status: undefined, retryAfterSeconds: undefined, latencyMs: 5 });
  });

  it('keeps a global regex usable across calls and clears everything', () => {
    const faults = new FaultInjector();
    faults.add({ path: /secrets/g, status: 500 });
    expect(faults.take('a', 'GET', '/secrets')).toBeDefined();
    expect(faults.take('a', 'GET', '/secrets')).toBeDefined();
    faults.clear();
    expect(faults.take('a', 'GET', '/secrets')).toBeUndefined();
  });
});
