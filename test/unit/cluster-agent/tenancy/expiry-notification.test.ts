/** A NearExpiry/Expired event tells only the CRs the access policy lets use the object: a forbidden CR learns nothing. */
import { handleNotification } from '../../../../cluster-agent/controller/notification-handler.js';
import { StatusWriter } from '../../../../cluster-agent/controller/status-writer.js';
import { AccessGate } from '../../../../cluster-agent/tenancy/access-gate.js';
import { compileAccessPolicies } from '../../../../core/tenancy/evaluate-access.js';
import { akvs } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

it('marks Expiring and sends the Warning Event only on CRs the policy allows', async () => {
  const h = reconcileHarness();
  const gate = new AccessGate({
    policies: () => compileAccessPolicies([{ name: 'a', spec: { namespaceSelector: { matchLabels: { team: 'a' } }, grants: [{ vault: 'kv1', objects: ['*'] }] } }]),
    namespaceLabels: async (ns): Promise<Record<string, string>> => (ns === 'team-a' ? { team: 'a' } : {}),
    agentStore: h.store,
    storeFor: () => h.store,
  });
  h.add({ ...akvs({ name: 'mine', namespace: 'team-a' }), status: { syncedVersion: 'v9' } }, { ...akvs({ name: 'theirs', namespace: 'team-b' }), status: { syncedVersion: 'v9' } });

  const referenced = await handleNotification({
    vault: 'kv1', objectType: 'Secret', objectName: 'db-password', version: 'v9', eventType: 'Microsoft.KeyVault.SecretNearExpiry',
    eventId: 'e1', eventTime: new Date(0).toISOString(),
  }, { index: h.index, queue: { add: () => undefined }, hints: h.hints, cluster: h.cluster, status: new StatusWriter(h.cluster, h.index, h.clock), clock: h.clock, logger: h.logger, permitted: (crs) => gate.permitted(crs) });

  expect(referenced).toBe(true);
  expect(h.cluster.statuses.get('team-a/mine')?.conditions?.find((c) => c.type === 'Expiring')).toMatchObject({ status: 'True', reason: 'NearExpiry' });
  expect(h.cluster.statuses.get('team-b/theirs')).toBeUndefined();
  expect(h.cluster.events.map((e) => e.cr)).toEqual(['team-a/mine']);
  expect(h.logLines.join('\n')).not.toContain('theirs');
});
