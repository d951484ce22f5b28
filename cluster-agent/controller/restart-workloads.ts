import { planRestarts } from '../../core/restart/plan-restarts.js';
import type { ClusterApi, OutputKind, WorkloadRef } from '../ports/cluster-api.js';

export interface ChangedOutput {
  readonly kind: OutputKind;
  readonly namespace: string;
  readonly name: string;
  readonly dataHash: string;
}

/**
 * Rolling-restarts the opted-in workloads in the output's namespace by writing the data hash into a pod-template
 * annotation (planRestarts decides who and which annotation). Call it ONLY after the agent itself changed the data:
 * the annotation makes it idempotent, so the same hash never restarts a workload twice.
 */
export async function restartWorkloads(
  cluster: ClusterApi,
  changed: ChangedOutput,
  options: { readonly honourReloaderAnnotations: boolean },
): Promise<WorkloadRef[]> {
  const restarted: WorkloadRef[] = [];
  for (const workload of await cluster.listWorkloads(changed.namespace)) {
    const plan = planRestarts(changed, workload, options);
    if (!plan.restart || !plan.patch) continue;
    await cluster.patchPodTemplateAnnotation(workload, plan.patch.annotationKey, plan.patch.annotationValue);
    restarted.push({ kind: workload.kind, namespace: workload.namespace, name: workload.name });
  }
  return restarted;
}
