import type { SecretClient } from '@azure/keyvault-secrets';
import { findMilestone, type Milestone, type MilestoneRecorder } from '../../../../scripts/demo/milestones.js';
import { formatTimeline, rotateAndTrace, type RotationTarget } from '../../../../scripts/demo/rotation-timeline.js';

const VERSION = '0123456789abcdef0123456789abcdef';
const VALUE = 'correct-horse-battery-staple-42';

/** A recorder whose milestones the fake client adds, as the pipeline would after a new version. */
function inMemoryRecorder(): MilestoneRecorder & { milestones: Milestone[] } {
  const milestones: Milestone[] = [];
  return { milestones, find: (kind, since, match) => findMilestone(milestones, kind, since, match), stop: () => Promise.resolve() };
}

function fakeClient(recorder: { milestones: Milestone[] }, steps: readonly Milestone['kind'][]): SecretClient & { values: string[] } {
  const values: string[] = [];
  const client = {
    values,
    setSecret: (_name: string, value: string) => {
      values.push(value);
      const at = performance.now();
      const detail: Record<Milestone['kind'], Milestone['detail']> = {
        'event-delivered': { status: 200, bytes: 512 },
        'notification-pushed': { status: 202, bytes: 263 },
        'notification-verified': { objectName: 'db-password' },
        'secret-written': { namespace: 'demo', name: 'db-password', dataHash: 'ab'.repeat(32) },
        'workload-restarted': { kind: 'Deployment', namespace: 'demo', name: 'web' },
        'replicaset-created': { name: 'web-5d8f9c', deployment: 'web' },
      };
      steps.forEach((kind, i) => {
        const versioned = kind !== 'workload-restarted' && kind !== 'replicaset-created';
        recorder.milestones.push({ kind, at: at + i, version: versioned ? VERSION : undefined, detail: detail[kind] });
      });
      return Promise.resolve({ name: 'db-password', value, properties: { version: VERSION } });
    },
  };
  return client as unknown as SecretClient & { values: string[] };
}

const ALL_STEPS: Milestone['kind'][] = ['event-delivered', 'notification-pushed', 'notification-verified', 'secret-written', 'workload-restarted', 'replicaset-created'];

function target(client: SecretClient, overrides: Partial<RotationTarget> = {}): RotationTarget {
  return { client, objectName: 'db-password', namespace: 'demo', secretName: 'db-password', deployment: 'web', newValue: () => VALUE, timeoutMs: 2000, ...overrides };
}

describe('rotateAndTrace', () => {
  it('finds every step of the event path for the new version, in order, and prints versions and hashes only', async () => {
    const recorder = inMemoryRecorder();
    const client = fakeClient(recorder, ALL_STEPS);

    const result = await rotateAndTrace(recorder, target(client));

    expect(client.values).toEqual([VALUE]);
    expect(result.complete).toBe(true);
    expect(result.version).toBe(VERSION);
    expect(result.steps.map((s) => s.kind)).toEqual(['version-created', ...ALL_STEPS]);
    const offsets = result.steps.slice(1).map((s) => s.offsetMs as number);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const text = formatTimeline(1, 3, 'db-password', result).join('\n');
    expect(text).toContain(`version ${VERSION}`);
    expect(text).toContain('new ReplicaSet web-5d8f9c');
    expect(text).not.toContain(VALUE);
    expect(text).not.toContain(Buffer.from(VALUE).toString('base64'));
  });

  it('reports the steps that did not happen instead of waiting forever', async () => {
    const recorder = inMemoryRecorder();
    const client = fakeClient(recorder, ['event-delivered', 'notification-pushed', 'notification-verified', 'secret-written']);

    const result = await rotateAndTrace(recorder, target(client, { timeoutMs: 50 }));

    expect(result.complete).toBe(false);
    expect(result.steps.filter((s) => s.offsetMs === undefined).map((s) => s.kind)).toEqual(['workload-restarted', 'replicaset-created']);
    expect(formatTimeline(1, 1, 'db-password', result).filter((l) => l.includes('(missing)'))).toHaveLength(2);
  });

  it('ignores milestones of other versions and other Secrets', async () => {
    const recorder = inMemoryRecorder();
    const client = fakeClient(recorder, []);
    recorder.milestones.push({ kind: 'secret-written', at: performance.now() + 1000, version: 'ffffffffffffffffffffffffffffffff', detail: { name: 'db-password', dataHash: 'x' } });

    const result = await rotateAndTrace(recorder, target(client, { timeoutMs: 30 }));

    expect(result.steps.find((s) => s.kind === 'secret-written')?.offsetMs).toBeUndefined();
  });
});
