import { TokenBuckets } from '../../../../core/concurrency/token-buckets.js';

describe('TokenBuckets', () => {
  it('gives a new key its whole burst, then one token per interval, and says how long to wait', () => {
    const b = new TokenBuckets(3, 1000);
    expect([b.take('a', 0), b.take('a', 0), b.take('a', 0)]).toEqual([0, 0, 0]);
    expect(b.take('a', 0)).toBe(1000);
    expect(b.take('a', 400)).toBe(600);
    expect(b.take('a', 1000)).toBe(0);
    expect(b.take('a', 1000)).toBe(1000);
  });

  it('keeps keys apart and never holds more than its capacity', () => {
    const b = new TokenBuckets(2, 100);
    expect([b.take('a', 0), b.take('a', 0), b.take('b', 0)]).toEqual([0, 0, 0]);
    expect(b.take('a', 0)).toBe(100);
    // A long pause refills to the capacity only.
    expect([b.take('a', 1_000_000), b.take('a', 1_000_000), b.take('a', 1_000_000)]).toEqual([0, 0, 100]);
  });

  it('bounds the tokens an edit loop gets: burst plus one per interval', () => {
    const b = new TokenBuckets(3, 1000);
    let granted = 0;
    for (let t = 0; t < 10_000; t += 10) if (b.take('loop', t) === 0) granted++;
    expect(granted).toBe(3 + 9);
  });

  it('forgets full buckets on sweep, keeps the ones in use', () => {
    const b = new TokenBuckets(2, 100);
    b.take('a', 0);
    b.take('b', 0);
    b.take('b', 0);
    b.sweep(100);
    expect(b.size).toBe(1);
    b.sweep(200);
    expect(b.size).toBe(0);
  });

  it('refuses a bucket that can never grant', () => {
    expect(() => new TokenBuckets(0, 100)).toThrow(RangeError);
    expect(() => new TokenBuckets(1, 0)).toThrow(RangeError);
  });
});
