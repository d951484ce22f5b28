import { KvError } from '../../../../scripts/kv-emulator/kv-error.js';
import { nextLink, pageOf, parseMaxResults } from '../../../../scripts/kv-emulator/paging.js';

const names = Array.from({ length: 60 }, (_, i) => `n${String(i).padStart(2, '0')}`);

describe('paging', () => {
  it('defaults maxresults to 25 and accepts 1..25 only', () => {
    expect(parseMaxResults(undefined)).toBe(25);
    expect(parseMaxResults('7')).toBe(7);
    for (const bad of ['0', '26', '2.5', 'ten', '-1']) expect(() => parseMaxResults(bad)).toThrow(KvError);
  });

  it('walks every item exactly once through skip tokens', () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = pageOf(names, (n) => n, token, 25);
      seen.push(...page.items);
      token = page.skipToken;
      pages += 1;
    } while (token);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
  });

  it('gives no token when the last page is exactly full', () => {
    expect(pageOf(names.slice(0, 25), (n) => n, undefined, 25).skipToken).toBeUndefined();
  });

  it('does not repeat or skip items when an item is added between pages', () => {
    const first = pageOf(names, (n) => n, undefined, 25);
    const grown = [...names, 'a-new-first'].sort();
    const second = pageOf(grown, (n) => n, first.skipToken, 25);
    expect(second.items[0]).toBe('n25');
  });

  it('rejects a token it did not make', () => {
    expect(() => pageOf(names, (n) => n, 'not-a-token', 25)).toThrow(/skiptoken/);
  });

  it('builds nextLink with api-version, $skiptoken and maxresults, or null on the last page', () => {
    const link = nextLink('https://127.0.0.1:1', '/secrets', '7.6', 'tok', 10);
    const url = new URL(link ?? '');
    expect(url.pathname).toBe('/secrets');
    expect(Object.fromEntries(url.searchParams)).toEqual({ 'api-version': '7.6', $skiptoken: 'tok', maxresults: '10' });
    expect(nextLink('https://127.0.0.1:1', '/secrets', '7.6', undefined, 10)).toBeNull();
  });
});
