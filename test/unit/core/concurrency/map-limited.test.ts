import { mapLimited } from '../../../../core/concurrency/map-limited.js';

describe('mapLimited', () => {
  it('keeps each result at its item\'s place with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapLimited(Array.from({ length: 12 }, (_, i) => i), 4, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (12 - item) % 3)); // finish out of order
      inFlight--;
      return item * 10;
    });
    expect(peak).toBe(4);
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
  });

  it('rejects with the first failure', async () => {
    await expect(mapLimited([1, 2, 3], 2, async (item) => {
      if (item === 2) throw new Error('item 2 failed');
      return item;
    })).rejects.toThrow('item 2 failed');
  });
});
