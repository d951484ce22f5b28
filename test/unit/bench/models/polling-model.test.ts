import { akv2k8sModel } from '../../../../bench/models/akv2k8s-model.js';
import { externalSecretsModel } from '../../../../bench/models/external-secrets-model.js';
import { lockstepReads, staggeredReads } from '../../../../bench/models/polling-model.js';

const objects = (n: number): string[] => Array.from({ length: n }, (_, i) => `secret-${i}`);
const perObject = (reads: { objectName: string }[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const r of reads) counts.set(r.objectName, (counts.get(r.objectName) ?? 0) + 1);
  return counts;
};

describe('lockstepReads', () => {
  it('reads every object at every multiple of the period inside (0, window]', () => {
    const reads = lockstepReads(['a', 'b'], 30, 90);
    expect(reads.map((r) => `${r.atSeconds}:${r.objectName}`)).toEqual(['30:a', '30:b', '60:a', '60:b', '90:a', '90:b']);
  });

  it('reads nothing in a window shorter than one period', () => {
    expect(lockstepReads(['a'], 30, 29)).toEqual([]);
  });
});

describe('staggeredReads', () => {
  it('reads each object once per period, at phases spread over the period, in time order', () => {
    const reads = staggeredReads(objects(4), 100, 100);
    expect(reads.map((r) => r.atSeconds)).toEqual([12.5, 37.5, 62.5, 87.5]);
    expect([...perObject(reads).values()]).toEqual([1, 1, 1, 1]);
  });

  it('covers a fraction of the objects in a fraction of the period', () => {
    expect(staggeredReads(objects(1000), 3600, 720)).toHaveLength(200);
  });
});

describe('the polling models', () => {
  it('akv2k8s: one read per object every 30 s, one worker', () => {
    const reads = akv2k8sModel.reads(objects(1000), 120);
    expect(reads).toHaveLength(4000);
    expect(new Set(perObject(reads).values())).toEqual(new Set([4]));
    expect(akv2k8sModel).toMatchObject({ periodSeconds: 30, concurrency: 1 });
  });

  it('External Secrets: one read per ExternalSecret per hour, one worker', () => {
    const reads = externalSecretsModel.reads(objects(1000), 3600);
    expect(reads).toHaveLength(1000);
    expect(new Set(perObject(reads).values())).toEqual(new Set([1]));
    expect(externalSecretsModel).toMatchObject({ periodSeconds: 3600, concurrency: 1 });
  });

  it('say how they were built', () => {
    expect(akv2k8sModel.howBuilt).toContain('--azure-resync-period');
    expect(externalSecretsModel.howBuilt).toContain('refreshInterval');
  });
});
