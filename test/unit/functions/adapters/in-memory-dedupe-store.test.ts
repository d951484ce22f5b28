import { InMemoryDedupeStore } from '../../../../functions/adapters/in-memory-dedupe-store.js';
import { ManualClock } from '../support/manual-clock.js';

describe('InMemoryDedupeStore', () => {
  it('remembers a marked key until its TTL passes', async () => {
    const clock = new ManualClock(1_000_000);
    const store = new InMemoryDedupeStore({ clock, ttlMs: 60_000 });
    expect(await store.has('k')).toBe(false);
    await store.mark('k');
    clock.advance(59_999);
    expect(await store.has('k')).toBe(true);
    clock.advance(1);
    expect(await store.has('k')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('evicts the least recently used key past maxEntries', async () => {
    const store = new InMemoryDedupeStore({ clock: new ManualClock(0), maxEntries: 2 });
    await store.mark('a');
    await store.mark('b');
    expect(await store.has('a')).toBe(true);
    await store.mark('c');
    expect(await store.has('b')).toBe(false);
    expect(await store.has('a')).toBe(true);
    expect(await store.has('c')).toBe(true);
    expect(store.size).toBe(2);
  });

  it('marking again restarts the TTL', async () => {
    const clock = new ManualClock(0);
    const store = new InMemoryDedupeStore({ clock, ttlMs: 10 });
    await store.mark('k');
    clock.advance(8);
    await store.mark('k');
    clock.advance(8);
    expect(await store.has('k')).toBe(true);
  });

  it('refuses a nonsensical size or TTL', () => {
    expect(() => new InMemoryDedupeStore({ clock: new ManualClock(0), maxEntries: 0 })).toThrow(RangeError);
    expect(() => new InMemoryDedupeStore({ clock: new ManualClock(0), ttlMs: -1 })).toThrow(RangeError);
  });
});
