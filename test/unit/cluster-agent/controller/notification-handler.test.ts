import { handleNotification } from '../../../../cluster-agent/controller/notification-handler.js';
import { StatusWriter } from '../../../../cluster-agent/controller/status-writer.js';
import { akvs } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const expiry = (version: string, eventType = 'Microsoft.KeyVault.SecretNearExpiry') => ({
  vault: 'kv1', objectType: 'Secret' as const, objectName: 'db-password', version, eventType, eventId: `e-${version}-${eventType}`, eventTime: new Date(0).toISOString(),
});

it('an expiry event reaches only the CRs holding that version; one for another version is ignored', async () => {
  const h = reconcileHarness();
  h.add({ ...akvs({ name: 'current' }), status: { syncedVersion: 'v2' } }, { ...akvs({ name: 'pinned-old' }), status: { syncedVersion: 'v1' } }, akvs({ name: 'never-synced' }));
  const deps = { index: h.index, queue: { add: () => undefined }, hints: h.hints, cluster: h.cluster, status: new StatusWriter(h.cluster, h.index, h.clock), clock: h.clock, logger: h.logger };

  expect(await handleNotification(expiry('v0'), deps)).toBe(true);
  expect(h.cluster.statusPatches).toEqual([]);
  expect(h.cluster.events).toEqual([]);

  await handleNotification(expiry('v2', 'Microsoft.KeyVault.SecretExpired'), deps);
  expect(h.cluster.statusPatches.map((p) => p.cr)).toEqual(['team-a/current']);
  expect(h.cluster.statuses.get('team-a/current')?.conditions?.find((c) => c.type === 'Expiring')).toMatchObject({ status: 'True', reason: 'Expired' });
  expect(h.cluster.events).toEqual([expect.objectContaining({ cr: 'team-a/current', type: 'Warning', reason: 'Expired' })]);
});
