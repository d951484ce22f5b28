import type { Subscription } from '../../../../core/registry/registration.js';
import { diffRows, forwardRows, globPartition, globRowMatches, isStale, objectPartition, subscriptionHash } from '../../../../core/registry/registry-rows.js';

const sub = (objectName: string, objectType: Subscription['objectType'] = 'Secret', vault = 'kv-prod'): Subscription => ({ vault, objectType, objectName });

describe('registry rows', () => {
  it('keys an exact object by vault, type and lower-cased, key-safe name', () => {
    expect(objectPartition('KV-Prod', 'Secret', 'DB-Password')).toBe(objectPartition('kv-prod', 'Secret', 'db-password'));
    expect(objectPartition('kv-prod', 'Secret', 'db-password')).not.toBe(objectPartition('kv-prod', 'Key', 'db-password'));
    expect(objectPartition('kv-prod', 'Secret', 'a?b#c%d')).toMatch(/^obj\.kv-prod\.Secret\.[A-Za-z0-9_-]+$/);
  });

  it('needs one row per exact object and one row per vault holding all of its globs', () => {
    const rows = forwardRows([sub('db-password'), sub('tls-*', 'Certificate'), sub('api-?'), sub('other', 'Secret', 'kv-dev')]);
    expect(rows).toEqual(new Map([
      [objectPartition('kv-prod', 'Secret', 'db-password'), ''],
      [objectPartition('kv-dev', 'Secret', 'other'), ''],
      [globPartition('kv-prod'), '["Certificate:tls-*","Secret:api-?"]'],
    ]));
  });

  it('diffs stored against wanted rows: removed subscriptions are deleted, changed glob rows rewritten, unchanged left alone', () => {
    const stored = forwardRows([sub('a'), sub('b'), sub('x-*')]);
    const wanted = forwardRows([sub('b'), sub('c'), sub('x-*'), sub('y-*')]);
    const diff = diffRows(stored, wanted);
    expect(diff.remove).toEqual([objectPartition('kv-prod', 'Secret', 'a')]);
    expect([...diff.upsert.keys()].sort()).toEqual([globPartition('kv-prod'), objectPartition('kv-prod', 'Secret', 'c')].sort());
    expect(diffRows(wanted, wanted)).toEqual({ upsert: new Map(), remove: [] });
  });

  it('hashes a subscription set independently of its order', () => {
    expect(subscriptionHash(forwardRows([sub('a'), sub('b')]))).toBe(subscriptionHash(forwardRows([sub('b'), sub('a')])));
    expect(subscriptionHash(forwardRows([sub('a')]))).not.toBe(subscriptionHash(forwardRows([sub('b')])));
  });

  it('matches a glob row by object type and name, case-insensitively; malformed patterns match nothing', () => {
    const patterns = '["Certificate:tls-*","Secret:api-?"]';
    expect(globRowMatches(patterns, 'Secret', 'API-1')).toBe(true);
    expect(globRowMatches(patterns, 'Secret', 'api-12')).toBe(false);
    expect(globRowMatches(patterns, 'Secret', 'tls-a')).toBe(false);
    expect(globRowMatches(patterns, 'Certificate', 'tls-a')).toBe(true);
    expect(globRowMatches('not json', 'Secret', 'x')).toBe(false);
    expect(globRowMatches('{"a":1}', 'Secret', 'x')).toBe(false);
  });

  it('calls a cluster stale only after the full interval without a heartbeat', () => {
    expect(isStale(1000, 1000 + 600_000, 600_000)).toBe(false);
    expect(isStale(1000, 1001 + 600_000, 600_000)).toBe(true);
  });
});
