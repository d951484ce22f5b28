/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in Kubernetes 1.30) that lets the agent's
 * ServiceAccount change nothing of a Deployment, StatefulSet or DaemonSet but the restart.akvsync.io/ annotations of
 * its pod template. RBAC can only grant `patch` on a whole workload; this narrows it to what a restart writes. The
 * policy applies to the agent's requests only (matchConditions on the username), so nobody else is slowed or refused.
 */
import { RESTART_ANNOTATION_PREFIX } from '../../core/crd/annotations.js';
import { WORKLOAD_KINDS } from '../../core/restart/workload-kinds.js';
import type { WorkloadKind } from '../../core/restart/workload-kinds.js';

/**
 * The fields of each kind's `spec` besides `template` (apps/v1 in Kubernetes 1.36). CEL sees typed objects, not maps,
 * so the fields are named one by one; an integration test compares this table with the apiserver's OpenAPI schema,
 * so a field a new Kubernetes version adds fails that test instead of passing the policy unchecked.
 */
export const WORKLOAD_SPEC_FIELDS = {
  Deployment: ['minReadySeconds', 'paused', 'progressDeadlineSeconds', 'replicas', 'revisionHistoryLimit', 'selector', 'strategy'],
  StatefulSet: ['minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy', 'podManagementPolicy', 'replicas', 'revisionHistoryLimit', 'selector', 'serviceName', 'updateStrategy', 'volumeClaimTemplates'],
  DaemonSet: ['minReadySeconds', 'revisionHistoryLimit', 'selector', 'updateStrategy'],
} as const satisfies Record<Exclude<WorkloadKind, 'Rollout'>, readonly string[]>;

/** Object metadata the agent never changes on a workload (annotations: below). */
const METADATA_FIELDS = ['labels', 'ownerReferences', 'finalizers'] as const;

/**
 * Workload annotations the apiserver itself sets when the pod template changes: the DaemonSet strategy writes the
 * template generation into `deprecated.daemonset.template.generation` on every template change, restarts included.
 */
export const SERVER_SET_WORKLOAD_ANNOTATIONS = ['deprecated.daemonset.template.generation'] as const;

export const RESTART_ONLY_MESSAGE = `the akvsync agent may change only the ${RESTART_ANNOTATION_PREFIX} pod-template annotations of a workload`;

export interface RestartOnlyPolicyOptions {
  /** Name of the policy and its binding. */
  readonly name: string;
  /** The agent's ServiceAccount. */
  readonly namespace: string;
  readonly serviceAccount: string;
}

const same = (path: string): string => `object${path} == oldObject${path}`;

/** CEL: the two string maps are equal but for keys `exempt` accepts (added, changed or removed). */
function unchangedExcept(newMap: string, oldMap: string, exempt: (key: string) => string): string {
  return `${newMap}.all(k, ${exempt('k')} || (k in ${oldMap} && ${oldMap}[k] == ${newMap}[k]))` +
    ` && ${oldMap}.all(k, ${exempt('k')} || k in ${newMap})`;
}

/** `reason: Forbidden`: a refusal is a 403 (the default, Invalid, would be a 422). */
function validations(): { expression: string; message: string; reason: 'Forbidden' }[] {
  const update = (expression: string): string => `request.operation != 'UPDATE' || (${expression})`;
  const kindRules = (Object.keys(WORKLOAD_SPEC_FIELDS) as (keyof typeof WORKLOAD_SPEC_FIELDS)[]).map((kind) => ({
    expression: update(`request.kind.kind != '${kind}' || (${WORKLOAD_SPEC_FIELDS[kind].map((f) => same(`.spec.?${f}`)).join(' && ')})`),
    message: `${RESTART_ONLY_MESSAGE}: ${kind} spec outside the pod template changed`,
  }));
  const rules = [
    { expression: "request.operation == 'UPDATE'", message: `${RESTART_ONLY_MESSAGE}: it neither creates nor deletes workloads` },
    { expression: update(METADATA_FIELDS.map((f) => same(`.metadata.?${f}`)).join(' && ')), message: `${RESTART_ONLY_MESSAGE}: workload metadata changed` },
    {
      expression: update(unchangedExcept('variables.newWorkloadAnnotations', 'variables.oldWorkloadAnnotations', (k) => SERVER_SET_WORKLOAD_ANNOTATIONS.map((a) => `${k} == '${a}'`).join(' || '))),
      message: `${RESTART_ONLY_MESSAGE}: workload annotations changed`,
    },
    ...kindRules,
    { expression: update(`${same('.spec.template.spec')} && ${same('.spec.template.metadata.?labels')}`), message: `${RESTART_ONLY_MESSAGE}: pod template changed` },
    {
      expression: update(
        `${unchangedExcept('variables.newAnnotations', 'variables.oldAnnotations', (k) => `${k}.startsWith('${RESTART_ANNOTATION_PREFIX}')`)}` +
        ' && variables.oldAnnotations.all(k, k in variables.newAnnotations)',
      ),
      message: `${RESTART_ONLY_MESSAGE}: another pod-template annotation changed or one was removed`,
    },
  ];
  return rules.map((rule) => ({ ...rule, reason: 'Forbidden' }));
}

/** The policy and its binding (cluster-scoped; the chart installs them with the agent). */
export function restartOnlyPolicy(options: RestartOnlyPolicyOptions): Record<string, unknown>[] {
  // apps/v1 workloads; an Argo Rollout (restart-at) is held to list + patch by RBAC only.
  const plurals = Object.values(WORKLOAD_KINDS).filter((k) => k.apiVersion === 'apps/v1').map((k) => k.plural);
  const annotations = (o: string): string => `has(${o}.spec.template.metadata) ? ${o}.spec.template.metadata.?annotations.orValue({}) : {}`;
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: options.name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: plurals, operations: ['*'] }] },
      matchConditions: [{ name: 'is-the-akvsync-agent', expression: `request.userInfo.username == 'system:serviceaccount:${options.namespace}:${options.serviceAccount}'` }],
      variables: [
        { name: 'newAnnotations', expression: `request.operation != 'UPDATE' ? {} : ${annotations('object')}` },
        { name: 'oldAnnotations', expression: `request.operation != 'UPDATE' ? {} : ${annotations('oldObject')}` },
        { name: 'newWorkloadAnnotations', expression: "request.operation != 'UPDATE' ? {} : object.metadata.?annotations.orValue({})" },
        { name: 'oldWorkloadAnnotations', expression: "request.operation != 'UPDATE' ? {} : oldObject.metadata.?annotations.orValue({})" },
      ],
      validations: validations(),
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: options.name },
    spec: { policyName: options.name, validationActions: ['Deny'] },
  };
  return [policy, binding];
}
