import { TtlCache } from '../../../../core/images/ttl-cache.js';

describe('TtlCache', () => {
  it('expires entries after the TTL and evicts the oldest when full', () => {
    let now = 1000;
    const cache = new TtlCache<string>({ now: () => now }, 100, 2);
    cache.set('a', 'A');
    now += 99;
    expect(cache.get('a')).toBe('A');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 'B', 'C', 2]);
  });
  it('stores nothing with a TTL of 0', () => {
    const cache = new TtlCache<number>({ now: () => 0 }, 0);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
