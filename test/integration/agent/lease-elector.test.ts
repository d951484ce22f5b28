/**
 * Leader election on a real coordination.k8s.io Lease: one replica leads; a replica that stops releases the Lease so
 * another takes over at once; a replica that dies (no release) is replaced once its Lease expires; never two leaders.
 */
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { LeaseElector } from '../../../cluster-agent/adapters/lease-elector.js';
import { createLogger } from '../../../cluster-agent/logger.js';
import type { Scheduler } from '../../../cluster-agent/ports/scheduler.js';
import { systemScheduler } from '../../../cluster-agent/ports/scheduler.js';
import { getTestStack } from '../support/stack-client.js';
import { waitFor } from './agent-harness.js';

const timings = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 };

/** A scheduler that can be killed: after kill() nothing it was given runs, as if the process died. */
function killableScheduler(): Scheduler & { kill(): void } {
  let dead = false;
  return {
    now: () => systemScheduler.now(),
    schedule: (ms, fn) => systemScheduler.schedule(ms, () => { if (!dead) fn(); }),
    kill: () => void (dead = true),
  };
}

describe('agent: Lease-based leader election (real apiserver)', () => {
  let ns: string;
  const electors: LeaseElector[] = [];
  const log: string[] = [];
  beforeAll(async () => {
    ns = await getTestStack().createNamespace('lease');
  });
  afterAll(async () => {
    for (const e of electors) await e.stop();
    await getTestStack().kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
  });

  const replica = (identity: string, scheduler: Scheduler = systemScheduler) => {
    const elector = new LeaseElector({ kubeConfig: getTestStack().kubeConfig, namespace: ns, name: 'akvsync-agent', identity, scheduler, logger: createLogger('silent'), timings });
    electors.push(elector);
    return elector;
  };
  const callbacks = (identity: string) => ({
    onStartedLeading: async () => void log.push(`${identity} leads`),
    onStoppedLeading: () => void log.push(`${identity} lost`),
  });
  const dead = new Set<LeaseElector>();
  const leaders = (): number => electors.filter((e) => e.isLeader && !dead.has(e)).length;

  it('one replica leads; a stopped leader releases the Lease and the other takes over; a killed one is replaced after the Lease expires', async () => {
    const a = replica('pod-a');
    await a.run(callbacks('pod-a'));
    expect(a.isLeader).toBe(true);
    const bScheduler = killableScheduler();
    const b = replica('pod-b', bScheduler);
    await b.run(callbacks('pod-b'));
    expect(b.isLeader).toBe(false);
    let mostLeadersSeen = 0;
    const sampler = setInterval(() => void (mostLeadersSeen = Math.max(mostLeadersSeen, leaders())), 20);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // a keeps renewing; b keeps waiting
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);

      await a.stop();
      await waitFor('pod-b to take over the released Lease', () => (b.isLeader ? true : undefined), 10_000);

      const c = replica('pod-c');
      await c.run(callbacks('pod-c'));
      expect(c.isLeader).toBe(false);
      bScheduler.kill(); // pod-b dies without releasing
      dead.add(b);
      await waitFor('pod-c to take over once the Lease expired', () => (c.isLeader ? true : undefined), 15_000);
    } finally {
      clearInterval(sampler);
    }
    expect(mostLeadersSeen).toBe(1);
    expect(log).toEqual(['pod-a leads', 'pod-b leads', 'pod-c leads']);
    const lease = await getTestStack().kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns, name: 'akvsync-agent' });
    expect(lease.spec?.holderIdentity).toBe('pod-c');
    expect(lease.spec?.leaseTransitions).toBe(2);
  });
});
