import type { VaultObjectRef } from '../../../../core/ports/vault-object-store.js';
import { parseRegistration } from '../../../../core/registry/registration.js';
import { subscriptionSet } from '../../../../core/registry/subscription-set.js';

const ref = (vault: string, objectType: VaultObjectRef['objectType'], name: string): VaultObjectRef => ({ vault, objectType, name });

describe('subscriptionSet', () => {
  it('has one exact subscription per referenced object, typed as its notifications are, deduplicated and sorted', () => {
    expect(subscriptionSet([ref('kv-b', 'secret', 'db'), ref('KV-A', 'certificate', 'tls'), ref('kv-a', 'key', 'sign'), ref('kv-b', 'secret', 'DB'), ref('kv-a', 'secret', 'api')])).toEqual([
      { vault: 'kv-a', objectType: 'Certificate', objectName: 'tls' },
      { vault: 'kv-a', objectType: 'Key', objectName: 'sign' },
      { vault: 'kv-a', objectType: 'Secret', objectName: 'api' },
      { vault: 'kv-b', objectType: 'Secret', objectName: 'DB' },
    ]);
    expect(subscriptionSet([])).toEqual([]);
  });

  it('widens the largest vault groups to a glob until the set fits the limit, and the result is a valid registration', () => {
    const many = Array.from({ length: 30 }, (_, i) => ref('kv-big', 'secret', `s-${i}`));
    const set = subscriptionSet([...many, ref('kv-small', 'secret', 'one'), ref('kv-small', 'secret', 'two'), ref('kv-big', 'key', 'k')], 5);
    expect(set).toEqual([
      { vault: 'kv-big', objectType: 'Key', objectName: 'k' },
      { vault: 'kv-big', objectType: 'Secret', objectName: '*' },
      { vault: 'kv-small', objectType: 'Secret', objectName: 'one' },
      { vault: 'kv-small', objectType: 'Secret', objectName: 'two' },
    ]);
    const body = JSON.stringify({ cluster: 'c1', delivery: 'queue', subscriptions: set });
    expect(parseRegistration(body, 'c1', () => undefined).subscriptions).toHaveLength(4);
  });

  it('refuses when even one glob per vault and type does not fit', () => {
    expect(() => subscriptionSet([ref('kv-a', 'secret', 'a'), ref('kv-b', 'secret', 'b')], 1)).toThrow(/2 vault\/type groups are more than/);
  });
});
