import type { OutputKind } from '../crd/output-kind.js';
import {
  RELOAD_ANNOTATION, RELOAD_CONFIGMAPS_ANNOTATION, RELOAD_SECRETS_ANNOTATION, RELOADER_AUTO_ANNOTATION,
  RELOADER_CONFIGMAP_AUTO_ANNOTATION, RELOADER_CONFIGMAP_EXCLUDE_ANNOTATION, RELOADER_CONFIGMAP_RELOAD_ANNOTATION,
  RELOADER_IGNORE_ANNOTATION, RELOADER_MATCH_ANNOTATION, RELOADER_SEARCH_ANNOTATION, RELOADER_SECRET_AUTO_ANNOTATION,
  RELOADER_SECRET_EXCLUDE_ANNOTATION, RELOADER_SECRET_RELOAD_ANNOTATION,
} from '../crd/annotations.js';

type SourceKind = OutputKind;

/** What a workload's annotations ask for, about one kind of source object. */
export interface ReloadOptIns {
  /** akvsync.io/reload: "true". */
  readonly akvsyncAuto: boolean;
  /** akvsync.io/reload-secrets / reload-configmaps. */
  readonly akvsyncNamed: ReadonlySet<string>;
  /** reloader.stakater.com/auto or the typed secret./configmap.reloader.stakater.com/auto. */
  readonly reloaderAuto: boolean;
  /** secret./configmap.reloader.stakater.com/reload. */
  readonly reloaderNamed: ReadonlySet<string>;
  /** secrets./configmaps.exclude.reloader.stakater.com/reload. */
  readonly reloaderExcluded: ReadonlySet<string>;
  /** reloader.stakater.com/search: restart for referenced sources that carry reloader.stakater.com/match. */
  readonly reloaderSearch: boolean;
  /** Any Reloader annotation at all (to explain "not honoured"). */
  readonly hasReloaderAnnotations: boolean;
}

const RELOADER_OPT_IN_KEYS = [
  RELOADER_AUTO_ANNOTATION, RELOADER_SECRET_AUTO_ANNOTATION, RELOADER_CONFIGMAP_AUTO_ANNOTATION,
  RELOADER_SECRET_RELOAD_ANNOTATION, RELOADER_CONFIGMAP_RELOAD_ANNOTATION, RELOADER_SEARCH_ANNOTATION,
];

/** Comma list, items trimmed, empties dropped. Exact names: Reloader's regular expressions are not supported. */
const list = (value: string | undefined): ReadonlySet<string> =>
  new Set((value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''));

/** Reloader parses its switches with Go's strconv.ParseBool. */
const goTrue = (value: string | undefined): boolean => value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value.trim());

/**
 * Reads the opt-ins from a workload's metadata annotations and its pod template's annotations. Reloader reads the
 * workload's; we accept both, and where the same key is on both the workload's value wins.
 */
/** What a source object's (Secret/ConfigMap) own Reloader annotations say: `match` (for searching workloads), `ignore`. */
export function reloaderSourceFlags(annotations: Readonly<Record<string, string>> | undefined): { readonly match: boolean; readonly ignore: boolean } {
  const a = annotations ?? {};
  return { match: goTrue(a[RELOADER_MATCH_ANNOTATION]), ignore: goTrue(a[RELOADER_IGNORE_ANNOTATION]) };
}

export function reloadOptIns(
  kind: SourceKind,
  workloadAnnotations: Readonly<Record<string, string>>,
  podTemplateAnnotations: Readonly<Record<string, string>> | undefined,
): ReloadOptIns {
  const a: Readonly<Record<string, string>> = { ...podTemplateAnnotations, ...workloadAnnotations };
  const secret = kind === 'Secret';
  return {
    akvsyncAuto: a[RELOAD_ANNOTATION]?.trim().toLowerCase() === 'true',
    akvsyncNamed: list(a[secret ? RELOAD_SECRETS_ANNOTATION : RELOAD_CONFIGMAPS_ANNOTATION]),
    reloaderAuto: goTrue(a[RELOADER_AUTO_ANNOTATION]) || goTrue(a[secret ? RELOADER_SECRET_AUTO_ANNOTATION : RELOADER_CONFIGMAP_AUTO_ANNOTATION]),
    reloaderNamed: list(a[secret ? RELOADER_SECRET_RELOAD_ANNOTATION : RELOADER_CONFIGMAP_RELOAD_ANNOTATION]),
    reloaderExcluded: list(a[secret ? RELOADER_SECRET_EXCLUDE_ANNOTATION : RELOADER_CONFIGMAP_EXCLUDE_ANNOTATION]),
    reloaderSearch: goTrue(a[RELOADER_SEARCH_ANNOTATION]),
    hasReloaderAnnotations: RELOADER_OPT_IN_KEYS.some((key) => a[key] !== undefined),
  };
}
