import { MemoByKey } from '../../core/concurrency/memo-by-key.js';
import { planRestarts } from '../../core/restart/plan-restarts.js';
import type { ChangedSource } from '../../core/restart/plan-restarts.js';
import type { ClusterApi, Workload, WorkloadRef } from '../ports/cluster-api.js';

/** An output whose data the agent changed (its annotations carry Reloader's match/ignore). */
export type ChangedOutput = ChangedSource;

/**
 * Rolling-restarts opted-in workloads by writing a data hash into a pod-template annotation (planRestarts decides
 * who and which annotation). Call it ONLY after the agent itself changed the data: the annotation makes it
 * idempotent, so the same hash never restarts a workload twice.
 *
 * One instance serves one reconcile: each namespace's workloads are listed once however many outputs in it changed
 * (a fan-out to 1,000 Secrets in 100 namespaces lists 100 times, not 1,000). Safe because every source object has its
 * own annotation key, so a workload patched for one output is still judged correctly for another from the same list.
 */
export class WorkloadRestarter {
  /** Per namespace; a failed list is not remembered (the next output in the namespace asks again). */
  private readonly listings = new MemoByKey<Workload[]>();

  constructor(
    private readonly cluster: ClusterApi,
    private readonly options: { readonly honourReloaderAnnotations: boolean },
  ) {}

  async restartFor(changed: ChangedOutput): Promise<WorkloadRef[]> {
    const restarted: WorkloadRef[] = [];
    for (const workload of await this.workloadsIn(changed.namespace)) {
      const plan = planRestarts(changed, workload, this.options);
      if (!plan.restart || !plan.patch) continue;
      await this.cluster.patchPodTemplateAnnotation(workload, plan.patch.annotationKey, plan.patch.annotationValue);
      restarted.push({ kind: workload.kind, namespace: workload.namespace, name: workload.name });
    }
    return restarted;
  }

  /**
   * Starts listing a namespace's workloads ahead of a write that will owe restarts, so the list overlaps the write.
   * Safe: pods of a workload created meanwhile start after the write and read the new data anyway.
   */
  prefetch(namespace: string): void {
    this.workloadsIn(namespace).catch(() => undefined);
  }

  private workloadsIn(namespace: string): Promise<Workload[]> {
    return this.listings.get(namespace, () => this.cluster.listWorkloads(namespace));
  }
}
