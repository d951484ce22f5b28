import { type ClusterRoute, dedupeKey, planDeliveries } from '../../../../core/routing/plan-deliveries.js';
import { toNotification } from '../../../../core/notification/notification-from-event.js';
import { FIXTURE_VAULT, FIXTURE_VERSION, keyVaultEvent } from '../../../support/key-vault-events.js';

const cluster = (overrides: Partial<ClusterRoute> = {}): ClusterRoute => ({ name: 'prod-weu', vaults: [FIXTURE_VAULT], ...overrides });
const V2 = 'a4c1e9d27f3b4e6a8c0d2f4b6e8a1c3d';

describe('dedupeKey', () => {
  it('is cluster, vault, object type, name, version and kind', () => {
    expect(dedupeKey('prod-weu', keyVaultEvent())).toBe(`prod-weu:${FIXTURE_VAULT}:Secret:db-password:${FIXTURE_VERSION}:NewVersionCreated`);
  });

  it('differs by event kind, so a NearExpiry is not a duplicate of the NewVersionCreated', () => {
    expect(dedupeKey('c', keyVaultEvent({ kind: 'NearExpiry' }))).not.toBe(dedupeKey('c', keyVaultEvent()));
  });

  it('ignores the case of names and versions (Key Vault does)', () => {
    expect(dedupeKey('c', keyVaultEvent({ objectName: 'DB-Password', version: FIXTURE_VERSION.toUpperCase() }))).toBe(
      dedupeKey('c', keyVaultEvent()),
    );
  });

  it('is unambiguous and free of characters storage keys forbid', () => {
    const a = dedupeKey('a:b', keyVaultEvent({ objectName: 'c' }));
    const b = dedupeKey('a', keyVaultEvent({ objectName: 'b:c' }));
    expect(a).not.toBe(b);
    expect(dedupeKey('x/y#z?\\', keyVaultEvent({ objectName: 'naïve' }))).not.toMatch(/[/#?\\]/);
  });
});

describe('planDeliveries', () => {
  it('delivers an event to every cluster that wants its vault, with the notification for it', () => {
    const e = keyVaultEvent();
    const plan = planDeliveries([e], [cluster(), cluster({ name: 'prod-neu', vaults: '*' }), cluster({ name: 'dev', vaults: ['kv-dev'] })]);
    expect(plan.deliveries).toEqual([
      { cluster: 'prod-weu', notification: toNotification(e), dedupeKey: dedupeKey('prod-weu', e) },
      { cluster: 'prod-neu', notification: toNotification(e), dedupeKey: dedupeKey('prod-neu', e) },
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('matches vault names case-insensitively', () => {
    const plan = planDeliveries([keyVaultEvent()], [cluster({ vaults: ['KV-AKVSYNC-PROD'] })]);
    expect(plan.deliveries).toHaveLength(1);
  });

  it('honours object-name globs', () => {
    const events = [keyVaultEvent({ objectName: 'db-password' }), keyVaultEvent({ objectName: 'api-key', eventId: 'e2' })];
    const plan = planDeliveries(events, [cluster({ objects: ['db-*', 'other'] })]);
    expect(plan.deliveries.map((d) => d.notification.objectName)).toEqual(['db-password']);
    expect(plan.skipped).toEqual([{ cluster: undefined, eventId: 'e2', dedupeKey: undefined, reason: 'no-subscriber' }]);
  });

  it('reports an event no cluster wants', () => {
    const plan = planDeliveries([keyVaultEvent({ vault: 'kv-nobody' })], [cluster()]);
    expect(plan.deliveries).toEqual([]);
    expect(plan.skipped).toEqual([{ cluster: undefined, eventId: keyVaultEvent().eventId, dedupeKey: undefined, reason: 'no-subscriber' }]);
  });

  it('plans a NearExpiry of a version beside its NewVersionCreated (different dedupe keys)', () => {
    const created = keyVaultEvent();
    const nearExpiry = keyVaultEvent({ eventId: 'e-near', kind: 'NearExpiry', eventType: 'Microsoft.KeyVault.SecretNearExpiry' });
    const plan = planDeliveries([created, nearExpiry], [cluster()]);
    expect(plan.deliveries.map((d) => d.notification.eventId)).toEqual([created.eventId, 'e-near']);
  });

  it('keeps one delivery when the same version arrives twice in a batch (redelivery)', () => {
    const first = keyVaultEvent({ eventId: 'first' });
    const again = keyVaultEvent({ eventId: 'again', eventTime: '2025-03-11T09:16:00Z' });
    const plan = planDeliveries([again, first], [cluster()]);
    expect(plan.deliveries.map((d) => d.notification.eventId)).toEqual(['first']);
    expect(plan.skipped).toEqual([{ cluster: 'prod-weu', eventId: 'again', dedupeKey: dedupeKey('prod-weu', first), reason: 'duplicate-in-batch' }]);
  });

  it('keeps every version of one object and orders them by event time, not by input or version', () => {
    const later = keyVaultEvent({ eventId: 'later', version: '0000000000000000000000000000000a', eventTime: '2025-03-11T09:20:00.5000000Z' });
    const earlier = keyVaultEvent({ eventId: 'earlier', version: V2, eventTime: '2025-03-11T09:15:42.1036736Z' });
    const plan = planDeliveries([later, earlier], [cluster()]);
    expect(plan.deliveries.map((d) => d.notification.eventId)).toEqual(['earlier', 'later']);
  });

  it('compares event times across time zones and keeps input order on ties', () => {
    const a = keyVaultEvent({ eventId: 'a', version: 'aa', eventTime: '2025-03-11T10:00:00+01:00' });
    const b = keyVaultEvent({ eventId: 'b', version: 'bb', eventTime: '2025-03-11T09:00:00Z' });
    const c = keyVaultEvent({ eventId: 'c', version: 'cc', eventTime: '2025-03-11T08:59:59Z' });
    const plan = planDeliveries([a, b, c], [cluster()]);
    expect(plan.deliveries.map((d) => d.notification.eventId)).toEqual(['c', 'a', 'b']);
  });

  it('returns an empty plan for no events or no clusters', () => {
    expect(planDeliveries([], [cluster()])).toEqual({ deliveries: [], skipped: [] });
    expect(planDeliveries([keyVaultEvent()], []).skipped.map((s) => s.reason)).toEqual(['no-subscriber']);
  });

  it('does not reorder the caller’s array', () => {
    const events = [keyVaultEvent({ eventId: 'x', eventTime: '2025-03-12T00:00:00Z' }), keyVaultEvent({ eventId: 'y', version: V2 })];
    planDeliveries(events, [cluster()]);
    expect(events.map((e) => e.eventId)).toEqual(['x', 'y']);
  });
});
