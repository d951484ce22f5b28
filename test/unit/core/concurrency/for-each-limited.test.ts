import { forEachLimited } from '../../../../core/concurrency/for-each-limited.js';

describe('forEachLimited', () => {
  it('runs every item once with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimited(Array.from({ length: 20 }, (_, i) => i), 3, async (item, index) => {
      expect(index).toBe(item);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(item);
      inFlight--;
    });
    expect(peak).toBe(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('finishes the other items when one fails, then rejects with the first failure', async () => {
    const done: number[] = [];
    const run = forEachLimited([1, 2, 3, 4, 5], 2, async (item) => {
      if (item === 2 || item === 4) throw new Error(`item ${item} failed`);
      done.push(item);
    });
    await expect(run).rejects.toThrow('item 2 failed');
    expect(done.sort()).toEqual([1, 3, 5]);
  });

  it('does nothing for no items and refuses a limit below 1', async () => {
    await expect(forEachLimited([], 4, async () => undefined)).resolves.toBeUndefined();
    await expect(forEachLimited([1], 0, async () => undefined)).rejects.toThrow(RangeError);
  });
});
