import { percentile, summarizeLatencies } from '../../../../bench/support/percentiles.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the smallest value with at least p% of the sample at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
  });

  it('refuses an empty sample and a percentile outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow('empty');
    expect(() => percentile(hundred, 0)).toThrow('(0, 100]');
    expect(() => percentile(hundred, 101)).toThrow('(0, 100]');
  });
});

describe('summarizeLatencies', () => {
  it('sorts the sample itself and reports count, extremes, percentiles and mean', () => {
    const summary = summarizeLatencies([30, 10, 20, 40]);
    expect(summary).toEqual({ count: 4, minMs: 10, p50Ms: 20, p90Ms: 40, p99Ms: 40, maxMs: 40, meanMs: 25 });
  });
});
