import { forEachLimited } from './for-each-limited.js';

/**
 * `forEachLimited` that keeps each task's result: at most `limit` tasks in flight, results in item order. Rejects
 * with the first failure once every started task has settled.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachLimited(items, limit, async (item, i) => {
    results[i] = await task(item, i);
  });
  return results;
}
