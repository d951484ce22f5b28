import { ReconcileRequests } from '../../../../cluster-agent/controller/reconcile-requests.js';

describe('ReconcileRequests', () => {
  it('merges CR-only requests while the key waits; a full request swallows them; an unknown key is full', () => {
    const queued: string[] = [];
    const r = new ReconcileRequests({ add: (k) => void queued.push(k) });
    r.addCr('k', 'ns/a');
    r.addCr('k', 'ns/b');
    expect(r.take('k')).toEqual({ full: false, crs: new Set(['ns/a', 'ns/b']) });
    expect(r.take('k')).toEqual({ full: true });
    r.addCr('k', 'ns/a');
    r.add('k');
    r.addCr('k', 'ns/c');
    expect(r.take('k')).toEqual({ full: true });
    expect(queued).toEqual(['k', 'k', 'k', 'k', 'k']);
  });
});
