import { TerminalError, TransientError } from '../../../../core/errors.js';
import type { SignedNotification } from '../../../../core/notification/notification.js';
import { RegisteredClusterSink } from '../../../../functions/adapters/registered-cluster-sink.js';
import type { RegisteredCluster } from '../../../../functions/adapters/table-cluster-registry.js';
import { dispositionOf } from '../../../../functions/delivery-disposition.js';
import { ManualClock } from '../support/manual-clock.js';

const signed: SignedNotification = { keyId: 'k', timestamp: 1, signature: 'v1=x', body: '{}' };
const cluster = (o: Partial<RegisteredCluster>): RegisteredCluster =>
  ({ name: 'reg', delivery: 'push', endpoint: 'https://a.example/v1/notifications', caPem: undefined, queueName: 'akvsync-q-reg', lastHeartbeatMs: 0, stale: false, ...o });

function sinkWith(registered: RegisteredCluster | undefined) {
  const calls: string[] = [];
  const sink = new RegisteredClusterSink({
    configured: { deliver: async (c) => void calls.push(`configured:${c}`) },
    configuredNames: new Set(['static']),
    registry: { cluster: async () => registered },
    push: { deliverTo: async (target) => void calls.push(`push:${target.name}:${target.pushUrl}`) },
    queue: { deliverTo: async (queue, c) => void calls.push(`queue:${c}:${queue}`) },
    clock: new ManualClock(1000),
  });
  return { sink, calls };
}

describe('RegisteredClusterSink', () => {
  it('hands configured clusters to the configured sink without reading the registry', async () => {
    const { sink, calls } = sinkWith(undefined);
    await sink.deliver('static', signed);
    expect(calls).toEqual(['configured:static']);
  });

  it('pushes to a fresh registered push cluster at its registered endpoint', async () => {
    const { sink, calls } = sinkWith(cluster({}));
    await sink.deliver('reg', signed);
    expect(calls).toEqual(['push:reg:https://a.example/v1/notifications']);
  });

  it('does not push to a stale cluster: a transient failure, so the retry path keeps it', async () => {
    const { sink, calls } = sinkWith(cluster({ stale: true }));
    const error = await sink.deliver('reg', signed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('ClusterStale');
    expect(dispositionOf(error)).toBe('retry');
    expect(calls).toEqual([]);
  });

  it("keeps filling a stale queue-mode cluster's queue", async () => {
    const { sink, calls } = sinkWith(cluster({ delivery: 'queue', endpoint: undefined, stale: true }));
    await sink.deliver('reg', signed);
    expect(calls).toEqual(['queue:reg:akvsync-q-reg']);
  });

  it('refuses an unknown cluster for good', async () => {
    await expect(sinkWith(undefined).sink.deliver('nobody', signed)).rejects.toBeInstanceOf(TerminalError);
  });
});
