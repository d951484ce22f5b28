import { planOutputCleanup } from '../../../../cluster-agent/controller/output-cleanup.js';
import type { ExistingOutput } from '../../../../cluster-agent/ports/cluster-api.js';

const cr = { name: 'db', uid: 'uid-db' };
const output = (o: Partial<ExistingOutput> = {}): ExistingOutput => ({
  kind: 'Secret', namespace: 'team-a', name: 'db', owners: [], labels: {}, annotations: {}, secretType: 'Opaque', dataHash: 'h',
  dataKeysByManager: {}, dataHashAfter: () => 'h', resourceVersion: '7', ...o,
});

describe('planOutputCleanup', () => {
  it('does nothing to an output that is gone or that this CR never wrote (somebody else\'s object of that name)', () => {
    expect(planOutputCleanup(undefined, cr)).toEqual({ action: 'none', why: 'gone' });
    expect(planOutputCleanup(output({ dataKeysByManager: { 'kubectl-edit': ['password'] } }), cr)).toEqual({ action: 'none', why: 'not-written-by-this-cr' });
    // Another CR of another name: its manager is not ours.
    expect(planOutputCleanup(output({ dataKeysByManager: { 'akvsync/other': ['password'] } }), cr)).toEqual({ action: 'none', why: 'not-written-by-this-cr' });
  });

  it('deletes an output this CR alone wrote', () => {
    expect(planOutputCleanup(output({ dataKeysByManager: { 'akvsync/db': ['password'] } }), cr)).toEqual({ action: 'delete' });
    // Written before per-CR managers: recognised by its owner reference.
    expect(planOutputCleanup(output({ owners: [{ apiVersion: 'akvsync.io/v1', kind: 'AzureKeyVaultSecret', name: 'db', uid: 'uid-db', controller: true }] }), cr)).toEqual({ action: 'delete' });
  });

  it('releases only this CR\'s part when other CRs, a person or another owner keep the output', () => {
    expect(planOutputCleanup(output({ dataKeysByManager: { 'akvsync/db': ['a'], 'akvsync/other': ['b'] } }), cr)).toEqual({ action: 'release', otherCrs: ['other'] });
    expect(planOutputCleanup(output({ dataKeysByManager: { 'akvsync/db': ['a'], 'kubectl-edit': ['mine'] } }), cr)).toEqual({ action: 'release', otherCrs: [] });
    expect(planOutputCleanup(output({
      dataKeysByManager: { 'akvsync/db': ['a'] },
      owners: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: false }],
    }), cr)).toEqual({ action: 'release', otherCrs: [] });
  });

  it('treats names from managedFields as plain data (__proto__, toString)', () => {
    const keys = Object.fromEntries([['akvsync/db', ['a']], ['__proto__', ['x']], ['toString', ['y']]]) as Record<string, string[]>;
    expect(planOutputCleanup(output({ dataKeysByManager: keys }), cr)).toEqual({ action: 'release', otherCrs: [] });
    expect(planOutputCleanup(output({ dataKeysByManager: {} }), { name: 'toString', uid: 'u' })).toEqual({ action: 'none', why: 'not-written-by-this-cr' });
  });
});
