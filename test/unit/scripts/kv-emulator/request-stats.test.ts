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
