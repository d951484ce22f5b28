import type { OutputKind } from '../crd/output-kind.js';
import { podTemplateReferences } from './pod-template-references.js';
import { reloadOptIns, reloaderSourceFlags } from './reload-opt-ins.js';
import { restartAnnotationKey } from './restart-annotation.js';
import { isWorkloadKind, restartRecordOf, type WorkloadKind } from './workload-kinds.js';

/** The Secret/ConfigMap whose data the agent just changed. `dataHash` = the hash of its data after the write. */
export interface ChangedSource {
  readonly kind: OutputKind;
  readonly namespace: string;
  readonly name: string;
  readonly dataHash: string;
  /** The source object's own annotations (Reloader's `match` and `ignore` live there); absent: none. */
  readonly annotations?: Readonly<Record<string, string>>;
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
  | 'referenced-with-reloader-search-match'
  | 'ignored-by-reloader-annotation'
  | 'reloader-search-without-match'
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
  const source = reloaderSourceFlags(changed.annotations);
  // Reloader's ignore on the Secret/ConfigMap: never restart for it, whatever the workload asks.
  if (options.honourReloaderAnnotations && source.ignore) return 'ignored-by-reloader-annotation';
  const optIns = reloadOptIns(changed.kind, workload.annotations, workload.podTemplate.annotations);
  if (optIns.akvsyncNamed.has(changed.name)) return 'named-in-reload-annotation';
  const refs = podTemplateReferences(workload.podTemplate.spec);
  const referenced = (changed.kind === 'Secret' ? refs.secrets : refs.configMaps).has(changed.name);
  if (optIns.akvsyncAuto && referenced) return 'referenced-with-reload-annotation';
  if (options.honourReloaderAnnotations && optIns.hasReloaderAnnotations) {
    if (optIns.reloaderExcluded.has(changed.name)) return 'excluded-by-reloader-annotation';
    if (optIns.reloaderNamed.has(changed.name)) return 'named-in-reloader-annotation';
    if (optIns.reloaderAuto && referenced) return 'referenced-with-reloader-auto';
    // search + match (the ESO + Reloader guide): auto, where set, already decided above, as in Reloader.
    if (!optIns.reloaderAuto && optIns.reloaderSearch && referenced) return source.match ? 'referenced-with-reloader-search-match' : 'reloader-search-without-match';
  }
  if (optIns.akvsyncAuto || (options.honourReloaderAnnotations && optIns.reloaderAuto)) return 'not-referenced';
  if (!options.honourReloaderAnnotations && optIns.hasReloaderAnnotations && optIns.akvsyncNamed.size === 0) {
    return 'reloader-annotations-not-honoured';
  }
  return 'not-opted-in';
}

const RESTARTING: ReadonlySet<RestartReason> = new Set<RestartReason>([
  'named-in-reload-annotation', 'referenced-with-reload-annotation', 'named-in-reloader-annotation', 'referenced-with-reloader-auto',
  'referenced-with-reloader-search-match',
]);

/**
 * Should this workload restart because `changed` changed? Pure. Opt-in rules (docs/crd.md, "Restarts"):
 * `akvsync.io/reload: "true"` (any Secret/ConfigMap the pod template references), `akvsync.io/reload-secrets` /
 * `akvsync.io/reload-configmaps` (named, referenced or not) and, when honoured, stakater/Reloader's annotations
 * on the workload's metadata or its pod template (`auto`, the typed `auto`/`reload` lists, `search` with `match` on
 * the source) and on the source (`ignore`: never restart for it).
 *
 * The restart writes `changed.dataHash` into an annotation keyed per source object (the pod template's, or for a
 * restart-at kind the workload's own), so a workload whose annotation already holds this hash is not restarted
 * again: one version never restarts a workload twice.
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
  if (restartRecordOf(workload.kind, workload)[annotationKey] === changed.dataHash) {
    return { restart: false, reason: 'already-restarted-for-this-hash' };
  }
  return { restart: true, reason, patch: { annotationKey, annotationValue: changed.dataHash } };
}
