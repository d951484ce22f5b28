import { planDeliveries, type ClusterRoute } from '../../../../core/routing/plan-deliveries.js';
import { RoutingTable } from '../../../../core/routing/routing-table.js';
import { FIXTURE_VAULT, keyVaultEvent } from '../../../support/key-vault-events.js';

const routes: ClusterRoute[] = [
  { name: 'prod-weu', vaults: [FIXTURE_VAULT.toUpperCase()] },
  { name: 'all', vaults: '*', objects: ['db-*'] },
  { name: 'dev', vaults: ['kv-dev'] },
  { name: 'api-only', vaults: [FIXTURE_VAULT], objects: ['api-?ey'] },
];

describe('RoutingTable', () => {
  it('names the clusters that want an event, in configuration order (vaults case-insensitive, object globs)', () => {
    const table = new RoutingTable(routes);

    expect(table.clustersFor(keyVaultEvent({ objectName: 'db-password' }))).toEqual(['prod-weu', 'all']);
    expect(table.clustersFor(keyVaultEvent({ objectName: 'api-key' }))).toEqual(['prod-weu', 'api-only']);
    expect(table.clustersFor(keyVaultEvent({ vault: 'kv-other', objectName: 'other' }))).toEqual([]);
  });

  it('is built once: changing the configuration objects afterwards does not change it', () => {
    const mutable = routes.map((r) => ({ ...r, vaults: r.vaults === '*' ? r.vaults : [...r.vaults], objects: r.objects ? [...r.objects] : undefined }));
    const table = new RoutingTable(mutable);

    (mutable[0]!.vaults as string[]).length = 0;
    mutable[1]!.objects!.push('*');

    expect(table.clustersFor(keyVaultEvent({ objectName: 'db-password' }))).toEqual(['prod-weu', 'all']);
    expect(table.clustersFor(keyVaultEvent({ objectName: 'other' }))).toEqual(['prod-weu']);
  });

  it('plans the same deliveries as the plain routes it was built from', () => {
    const events = ['db-password', 'api-key', 'other'].map((objectName, i) => keyVaultEvent({ objectName, eventId: `e${i}` }));

    expect(planDeliveries(events, new RoutingTable(routes))).toEqual(planDeliveries(events, routes));
  });
});
