import { NamespaceLabelCache } from '../../../../cluster-agent/tenancy/namespace-labels.js';

describe('namespace label cache', () => {
  it('answers from the watch, falls back to a GET for a namespace not seen yet, and reports label changes only', async () => {
    const fetched: string[] = [];
    const changed: string[] = [];
    const removed: string[] = [];
    const cache = new NamespaceLabelCache(async (ns) => {
      fetched.push(ns);
      return { from: 'get' };
    }, (ns) => void changed.push(ns), (ns) => void removed.push(ns));

    cache.upsert({ metadata: { name: 'team-a', labels: { team: 'a' } } });
    expect(await cache.labelsOf('team-a')).toEqual({ team: 'a' });
    expect(await cache.labelsOf('new')).toEqual({ from: 'get' });
    expect(fetched).toEqual(['new']);

    cache.upsert({ metadata: { name: 'team-a', labels: { team: 'a' } } });
    cache.upsert({ metadata: { name: 'team-b' } });
    expect(changed).toEqual([]);
    cache.upsert({ metadata: { name: 'team-a', labels: { team: 'a', env: 'prod' } } });
    cache.upsert({ metadata: { name: 'team-b', labels: { team: 'b' } } });
    expect(changed).toEqual(['team-a', 'team-b']);

    cache.remove({ metadata: { name: 'team-a' } });
    expect(await cache.labelsOf('team-a')).toEqual({ from: 'get' });
    expect(removed).toEqual(['team-a']);
  });
});
