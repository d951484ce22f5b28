import { callsSince, perHour } from '../../../../bench/support/client-calls.js';

describe('client calls', () => {
  it('takes the difference of two counts and scales a window to an hour', () => {
    const window = callsSince({ vaultCalls: 10, tokenRequests: 4 }, { vaultCalls: 70, tokenRequests: 34 });
    expect(window).toEqual({ vaultCalls: 60, tokenRequests: 30 });
    expect(perHour(window, 20_000)).toEqual({ vaultCalls: 10_800, tokenRequests: 5_400 });
  });
});
