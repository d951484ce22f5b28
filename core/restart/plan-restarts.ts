import type { OutputKind } from '../crd/output-kind.js';
import { podTemplateReferences } from './pod-template-references.js';
import { reloadOptIns } from './reload-opt-ins.js';
import { restartAnnotationKey } from './restart-annotation.js';
import { isWorkloadKind, type WorkloadKind } from './workload-kinds.js';

/** The Secret/ConfigMap whose data the agent just changed. `dataHash` = the hash of its data after the write. */
export interface ChangedSource {
  readonly kind: OutputKind;
  readonly namespace: string;
  readonly name: string;
  readonly dataHash: string;
}

export interface RestartCandidate {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  /** The workload's metadata annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly podTemplate: {
    readonly annotations?: Readonly<Record<string, string>>;
    /** A V1PodSpec-like object (containers, initContainers, volumes); read defensively. */
    readonly spec: unknown;
  };
}

export interface RestartOptions {
  /** Also act on stakater/Reloader's annotations. */
  readonly honourReloaderAnnotations: boolean;
}

export type RestartReason =
  | 'named-in-reload-annotation'
  | 'referenced-with-reload-annotation'
  | 'named-in-reloader-annotation'
  | 'referenced-with-reloader-auto'
  | 'already-restarted-for-this-hash'
  | 'different-namespace'
  | 'unsupported-workload-kind'
  | 'not-opted-in'
  | 'not-referenced'
  | 'excluded-by-reloader-annotation'
  | 'reloader-annotations-not-honoured';

export interface RestartPlan {
  readonly restart: boolean;
  readonly reason: RestartReason;
  /** Set when restart is true: the pod-template annotation to write (a rolling restart). */
  readonly patch?: { readonly annotationKey: string; readonly annotationValue: string };
}

/** Which opt-in rule, if any, asks for a restart; otherwise why not. */
function matchRule(changed: ChangedSource, workload: RestartCandidate, options: RestartOptions): RestartReason {
  const optIns = reloadOptIns(changed.kind, workload.annotations, workload.podTemplate.annotations);
  if (optIns.akvsyncNamed.has(changed.name)) return 'named-in-reload-annotation';
  const refs = podTemplateReferences(workload.podTemplate.spec);
  const referenced = (changed.kind === 'Secret' ? refs.secrets : refs.configMaps).has(changed.name);
  if (optIns.akvsyncAuto && referenced) return 'referenced-with-reload-annotation';
  if (options.honourReloaderAnnotations && optIns.hasReloaderAnnotations) {
    if (optIns.reloaderExcluded.has(changed.name)) return 'excluded-by-reloader-annotation';
    if (optIns.reloaderNamed.has(changed.name)) return 'named-in-reloader-annotation';
    if (optIns.reloaderAuto && referenced) return 'referenced-with-reloader-auto';
  }
  if (optIns.akvsyncAuto || (options.honourReloaderAnnotations && optIns.reloaderAuto)) return 'not-referenced';
  if (!options.honourReloaderAnnotations && optIns.hasReloaderAnnotations && optIns.akvsyncNamed.size === 0) {
    return 'reloader-annotations-not-honoured';
  }
  return 'not-opted-in';
}

const RESTARTING: ReadonlySet<RestartReason> = new Set<RestartReason>([
  'named-in-reload-annotation', 'referenced-with-reload-annotation', 'named-in-reloader-annotation', 'referenced-with-reloader-auto',
]);

/**
 * Should this workload restart because `changed` changed? Pure. Opt-in rules (docs/crd.md, "Restarts"):
 * `akvsync.io/reload: "true"` (any Secret/ConfigMap the pod template references), `akvsync.io/reload-secrets` /
 * `akvsync.io/reload-configmaps` (named, referenced or not) and, when honoured, stakater/Reloader's annotations;
 * on the workload's metadata or its pod template.
 *
 * The restart writes `changed.dataHash` into a pod-template annotation keyed per source object, so a workload
 * whose annotation already holds this hash is not restarted again: one version never restarts a workload twice.
 *
 * Only call this for data changes the agent itself wrote (not for every reconcile, nor for Secrets others
 * change): deciding that is the caller's job.
 */
export function planRestarts(changed: ChangedSource, workload: RestartCandidate, options: RestartOptions): RestartPlan {
  if (!isWorkloadKind(workload.kind)) return { restart: false, reason: 'unsupported-workload-kind' };
  if (workload.namespace !== changed.namespace) return { restart: false, reason: 'different-namespace' };
  const reason = matchRule(changed, workload, options);
  if (!RESTARTING.has(reason)) return { restart: false, reason };
  const annotationKey = restartAnnotationKey(changed.kind, changed.name);
  if (workload.podTemplate.annotations?.[annotationKey] === changed.dataHash) {
    return { restart: false, reason: 'already-restarted-for-this-hash' };
  }
  return { restart: true, reason, patch: { annotationKey, annotationValue: changed.dataHash } };
}
