/**
 * Strategy table per workload kind: where its pod template lives, how to address it, and how it is restarted.
 * - `pod-template-annotation` (Deployment, StatefulSet, DaemonSet): the data hash goes into a pod-template
 *   annotation, which rolls the pods and records what they were restarted for.
 * - `restart-at` (Argo Rollouts): a pod-template change would be a new revision (a canary analysis, a new
 *   ReplicaSet), so the restart is Argo's own `spec.restartAt` (its pods are restarted in place) and the data hash is
 *   recorded in the Rollout's metadata annotations instead. Only when the Rollout CRD is installed (the agent checks).
 * A kind whose pod template lives elsewhere (CronJob: `spec.jobTemplate.spec.template`) plugs in here.
 */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout';

export type RestartMethod = 'pod-template-annotation' | 'restart-at';

export interface WorkloadKindStrategy {
  readonly apiVersion: string;
  /** Resource name for the API path. */
  readonly plural: string;
  /** Path from the workload object to its pod template. */
  readonly podTemplatePath: readonly string[];
  readonly restart: RestartMethod;
  /** A custom resource that may not be installed (listed only when its CRD is served). */
  readonly optional: boolean;
}

export const WORKLOAD_KINDS: Readonly<Record<WorkloadKind, WorkloadKindStrategy>> = {
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments', podTemplatePath: ['spec', 'template'], restart: 'pod-template-annotation', optional: false },
  StatefulSet: { apiVersion: 'apps/v1', plural: 'statefulsets', podTemplatePath: ['spec', 'template'], restart: 'pod-template-annotation', optional: false },
  DaemonSet: { apiVersion: 'apps/v1', plural: 'daemonsets', podTemplatePath: ['spec', 'template'], restart: 'pod-template-annotation', optional: false },
  Rollout: { apiVersion: 'argoproj.io/v1alpha1', plural: 'rollouts', podTemplatePath: ['spec', 'template'], restart: 'restart-at', optional: true },
};

export const isWorkloadKind = (kind: string): kind is WorkloadKind => Object.hasOwn(WORKLOAD_KINDS, kind);

/** The kinds that are always there (apps/v1), without the optional custom resources. */
export const BUILT_IN_WORKLOAD_KINDS: readonly WorkloadKind[] = (Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).filter((k) => !WORKLOAD_KINDS[k].optional);

/** The pod template of a raw workload object (as read from the API), or undefined when it has none. */
export function podTemplateOf(kind: WorkloadKind, workload: unknown): unknown {
  let node: unknown = workload;
  for (const step of WORKLOAD_KINDS[kind].podTemplatePath) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/**
 * The JSON merge patch (application/merge-patch+json) of a rolling restart that records `value` under `key`: the
 * pod-template annotation, or (restart-at) the workload annotation plus `spec.restartAt` = `nowIso`.
 */
export function restartPatch(kind: WorkloadKind, key: string, value: string, nowIso: string): Record<string, unknown> {
  const annotation = { metadata: { annotations: { [key]: value } } };
  if (WORKLOAD_KINDS[kind].restart === 'restart-at') return { ...annotation, spec: { restartAt: nowIso } };
  let patch: Record<string, unknown> = annotation;
  for (const step of [...WORKLOAD_KINDS[kind].podTemplatePath].reverse()) patch = { [step]: patch };
  return patch;
}

/** Where a kind keeps the hash of its last restart for a source: pod-template annotations, or (restart-at) its own. */
export function restartRecordOf(kind: WorkloadKind, workload: { readonly annotations: Readonly<Record<string, string>>; readonly podTemplate: { readonly annotations?: Readonly<Record<string, string>> } }): Readonly<Record<string, string>> {
  return (WORKLOAD_KINDS[kind].restart === 'restart-at' ? workload.annotations : workload.podTemplate.annotations) ?? {};
}
