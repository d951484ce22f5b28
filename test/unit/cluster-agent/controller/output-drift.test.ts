import { OutputDrift } from '../../../../cluster-agent/controller/output-drift.js';
import { ReconcileRequests } from '../../../../cluster-agent/controller/reconcile-requests.js';
import type { ExistingOutput } from '../../../../cluster-agent/ports/cluster-api.js';
import { akvs } from '../support/builders.js';
import { reconcileHarness } from '../support/reconcile-harness.js';

const VALUE = 'drift-value-never-logged';

const seenAs = (o: { hash: string; annotation?: string; name?: string }): ExistingOutput => ({
  kind: 'Secret', namespace: 'team-a', name: o.name ?? 'db', owners: [], labels: {}, secretType: 'Opaque',
  annotations: o.annotation === undefined ? {} : { 'akvsync.io/data-hash': o.annotation },
  dataHash: o.hash, dataKeysByManager: {}, dataHashAfter: () => o.hash,
});

function driftHarness() {
  const h = reconcileHarness();
  const queued: { key: string; crId?: string }[] = [];
  const queue = new ReconcileRequests({ add: (key) => void queued.push({ key }) });
  queue.addCr = (key: string, crId: string) => void queued.push({ key, crId });
  const drift = new OutputDrift({ index: h.index, queue, scheduler: h.clock, logger: h.logger, burst: 3, intervalMs: 1000 });
  h.add(akvs(), akvs({ name: 'other', spec: { output: { secret: { name: 'other', dataKey: 'password' } } } }));
  return { h, drift, queued };
}

describe('OutputDrift', () => {
  it('ignores the agent\'s own writes (data hash = annotation) and outputs no CR writes', () => {
    const { drift, queued } = driftHarness();
    drift.seen(seenAs({ hash: 'h1', annotation: 'h1' }));
    drift.gone({ kind: 'Secret', namespace: 'team-a', name: 'nobody-writes-this' });
    drift.gone({ kind: 'ConfigMap', namespace: 'team-a', name: 'db' });
    drift.gone({ kind: 'Secret', namespace: 'team-b', name: 'db' });
    expect(queued).toEqual([]);
  });

  it('queues a CR-only reconcile of the writers of an edited or deleted output', () => {
    const { h, drift, queued } = driftHarness();
    drift.seen(seenAs({ hash: 'edited', annotation: 'h1' }));
    expect(queued).toEqual([{ key: h.index.keyOf('team-a', 'db'), crId: 'team-a/db' }]);
    drift.gone({ kind: 'Secret', namespace: 'team-a', name: 'other' });
    expect(queued.at(-1)).toEqual({ key: h.index.keyOf('team-a', 'other'), crId: 'team-a/other' });
    // An annotation removed by hand is drift too.
    drift.seen(seenAs({ hash: 'h1', name: 'other' }));
    expect(queued).toHaveLength(3);
  });

  it('rate-limits one output: 50 edits at once cost the burst, then one delayed repair; later ones one per interval', async () => {
    const { h, drift, queued } = driftHarness();
    for (let i = 0; i < 50; i++) drift.seen(seenAs({ hash: `edit-${i}`, annotation: 'h1' }));
    expect(queued).toHaveLength(3);
    expect(h.clock.pending()).toBe(1);
    await h.clock.advance(1000);
    expect(queued).toHaveLength(4);
    // Another output is not held back by this one.
    drift.gone({ kind: 'Secret', namespace: 'team-a', name: 'other' });
    expect(queued).toHaveLength(5);
    // A loop over 10 s: burst refilled by then at one per second, never one repair per edit.
    for (let t = 0; t < 100; t++) {
      drift.seen(seenAs({ hash: `loop-${t}`, annotation: 'h1' }));
      await h.clock.advance(100);
    }
    await h.clock.advance(1000);
    const repairsOfDb = queued.filter((q) => q.crId === 'team-a/db').length;
    expect(repairsOfDb).toBeGreaterThanOrEqual(4 + 10);
    expect(repairsOfDb).toBeLessThanOrEqual(4 + 12);
    expect(h.logLines.join('\n')).not.toContain(VALUE);
  });

  it('stop cancels the delayed repairs', () => {
    const { h, drift } = driftHarness();
    for (let i = 0; i < 5; i++) drift.seen(seenAs({ hash: `edit-${i}`, annotation: 'h1' }));
    expect(h.clock.pending()).toBe(1);
    drift.stop();
    expect(h.clock.pending()).toBe(0);
  });
});
