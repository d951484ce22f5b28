import { retryDelaySeconds } from '../../../functions/retry-policy.js';

const policy = { maxAttempts: 8, baseSeconds: 30, maxSeconds: 3600 };

describe('retryDelaySeconds', () => {
  it('doubles from the base per attempt, without jitter in the middle of the range', () => {
    expect([1, 2, 3, 4].map((a) => retryDelaySeconds(policy, a, undefined, 0.5))).toEqual([30, 60, 120, 240]);
  });

  it('caps at maxSeconds, even for absurd attempt counts', () => {
    expect(retryDelaySeconds(policy, 10, undefined, 1)).toBe(3600);
    expect(retryDelaySeconds(policy, 1000, undefined, 0.5)).toBe(3600);
  });

  it('jitters by ±20 %', () => {
    expect(retryDelaySeconds(policy, 2, undefined, 0)).toBe(48);
    expect(retryDelaySeconds(policy, 2, undefined, 1)).toBe(72);
  });

  it('waits at least as long as the agent’s Retry-After, and at least a second', () => {
    expect(retryDelaySeconds(policy, 1, 90_000, 0.5)).toBe(90);
    expect(retryDelaySeconds({ ...policy, baseSeconds: 1 }, 1, undefined, 0)).toBe(1);
  });
});
