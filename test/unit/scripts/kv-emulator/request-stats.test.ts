import { ANONYMOUS } from '../../../../scripts/kv-emulator/request-client.js';
import { AUTHORITY, RequestStats } from '../../../../scripts/kv-emulator/request-stats.js';

describe('RequestStats', () => {
  it('counts by vault, operation and status; requestCount leaves out 401 challenges', () => {
    const stats = new RequestStats();
    stats.record('alpha', 'getSecret', 401);
    stats.record('alpha', 'getSecret', 200);
    stats.record('alpha', 'getSecret', 429);
    stats.record('beta', 'getSecret', 200);
    stats.record(AUTHORITY, 'token', 200);

    expect(stats.counters()).toEqual({
      '(authority) token 200': 1,
      'alpha getSecret 200': 1,
      'alpha getSecret 401': 1,
      'alpha getSecret 429': 1,
      'beta getSecret 200': 1,
    });
    expect(stats.requestCount({ vault: 'ALPHA', operation: 'getSecret' })).toBe(2);
    expect(stats.requestCount({ operation: 'getSecret' })).toBe(3);
    expect(stats.requestCount({ operation: 'token' })).toBe(1);
    stats.reset();
    expect(stats.requestCount()).toBe(0);
  });
});

describe('RequestStats per client', () => {
  it('keeps each client id apart, sums them in counters(), and counts unattributed requests as anonymous', () => {
    const stats = new RequestStats();
    stats.record('alpha', 'getSecret', 200, 'APP-1');
    stats.record('alpha', 'getSecret', 200, 'app-1');
    stats.record('alpha', 'getSecret', 200, 'app-2');
    stats.record(AUTHORITY, 'token', 200, 'app-2');
    stats.record('alpha', 'getSecret', 401);

    expect(stats.countersByClient()).toEqual({
      [ANONYMOUS]: { 'alpha getSecret 401': 1 },
      'app-1': { 'alpha getSecret 200': 2 },
      'app-2': { '(authority) token 200': 1, 'alpha getSecret 200': 1 },
    });
    expect(stats.counters()).toEqual({ '(authority) token 200': 1, 'alpha getSecret 200': 3, 'alpha getSecret 401': 1 });
    expect(stats.requestCount({ clientId: 'App-1' })).toBe(2);
    expect(stats.requestCount({ clientId: 'app-2', operation: 'token' })).toBe(1);
    expect(stats.requestCount({ clientId: 'app-2', vault: 'alpha' })).toBe(1);
    expect(stats.requestCount({ clientId: 'nobody' })).toBe(0);
  });
});
