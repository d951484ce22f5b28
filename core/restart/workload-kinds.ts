/**
 * Strategy table per workload kind: where its pod template lives and how to address it. All three kinds keep it
 * at `spec.template` today; a kind that differs (CronJob: `spec.jobTemplate.spec.template`) plugs in here.
 */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface WorkloadKindStrategy {
  readonly apiVersion: string;
  /** Resource name for the API path. */
  readonly plural: string;
  /** Path from the workload object to its pod template. */
  readonly podTemplatePath: readonly string[];
}

export const WORKLOAD_KINDS: Readonly<Record<WorkloadKind, WorkloadKindStrategy>> = {
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments', podTemplatePath: ['spec', 'template'] },
  StatefulSet: { apiVersion: 'apps/v1', plural: 'statefulsets', podTemplatePath: ['spec', 'template'] },
  DaemonSet: { apiVersion: 'apps/v1', plural: 'daemonsets', podTemplatePath: ['spec', 'template'] },
};

export const isWorkloadKind = (kind: string): kind is WorkloadKind => Object.hasOwn(WORKLOAD_KINDS, kind);

/** The pod template of a raw workload object (as read from the API), or undefined when it has none. */
export function podTemplateOf(kind: WorkloadKind, workload: unknown): unknown {
  let node: unknown = workload;
  for (const step of WORKLOAD_KINDS[kind].podTemplatePath) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/** A JSON merge patch (application/merge-patch+json) that sets one pod-template annotation: a rolling restart. */
export function podTemplateAnnotationPatch(kind: WorkloadKind, key: string, value: string): Record<string, unknown> {
  let patch: Record<string, unknown> = { metadata: { annotations: { [key]: value } } };
  for (const step of [...WORKLOAD_KINDS[kind].podTemplatePath].reverse()) patch = { [step]: patch };
  return patch;
}
