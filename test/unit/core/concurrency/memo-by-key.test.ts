import { MemoByKey } from '../../../../core/concurrency/memo-by-key.js';

describe('MemoByKey', () => {
  it('loads each key once and shares the promise', async () => {
    const memo = new MemoByKey<string>();
    const loads: string[] = [];
    const load = (key: string) => async () => (loads.push(key), `value of ${key}`);
    const results = await Promise.all([memo.get('a', load('a')), memo.get('a', load('a')), memo.get('b', load('b'))]);
    expect(results).toEqual(['value of a', 'value of a', 'value of b']);
    expect(loads).toEqual(['a', 'b']);
  });

  it('forgets a failed load, so the next get of the key loads again', async () => {
    const memo = new MemoByKey<string>();
    let calls = 0;
    const load = async (): Promise<string> => (++calls === 1 ? Promise.reject(new Error('list failed')) : 'second');
    await expect(memo.get('k', load)).rejects.toThrow('list failed');
    await expect(memo.get('k', load)).resolves.toBe('second');
    await expect(memo.get('k', load)).resolves.toBe('second');
    expect(calls).toBe(2);
  });
});
