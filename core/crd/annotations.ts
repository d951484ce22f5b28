/**
 * Annotation and label keys used across the agent. Workloads opt in to restarts with the reload annotations
 * (ours, or stakater/Reloader's when honoured); the agent records what it wrote with the data-hash annotation and
 * restarts a workload by writing a per-source annotation (RESTART_ANNOTATION_PREFIX) into its pod template.
 */

/**
 * On every Secret/ConfigMap the agent writes: the keyed dataHash() of the output's whole data after the write (all
 * writers of a shared output compute the same value, so they never take it from each other).
 */
export const DATA_HASH_ANNOTATION = 'akvsync.io/data-hash';
/** Label on every Secret/ConfigMap the agent writes (selector for its informers). */
export const MANAGED_BY_LABEL = 'akvsync.io/managed-by';
export const MANAGED_BY_VALUE = 'akvsync';
// Per-CR keys (field manager, synced-version annotation, source label): core/crd/output-metadata.ts.

/** Workload opt-in: `"true"` → restart when any Secret/ConfigMap its pod template references changes. */
export const RELOAD_ANNOTATION = 'akvsync.io/reload';
/** Workload opt-in: comma list of Secret names (referenced or not). */
export const RELOAD_SECRETS_ANNOTATION = 'akvsync.io/reload-secrets';
/** Workload opt-in: comma list of ConfigMap names (referenced or not). */
export const RELOAD_CONFIGMAPS_ANNOTATION = 'akvsync.io/reload-configmaps';

/** stakater/Reloader, honoured when the agent is configured to: `"true"` → any referenced Secret/ConfigMap. */
export const RELOADER_AUTO_ANNOTATION = 'reloader.stakater.com/auto';
/** stakater/Reloader: `"true"` → any referenced Secret only. */
export const RELOADER_SECRET_AUTO_ANNOTATION = 'secret.reloader.stakater.com/auto';
/** stakater/Reloader: `"true"` → any referenced ConfigMap only. */
export const RELOADER_CONFIGMAP_AUTO_ANNOTATION = 'configmap.reloader.stakater.com/auto';
/** stakater/Reloader: comma list of Secret names. */
export const RELOADER_SECRET_RELOAD_ANNOTATION = 'secret.reloader.stakater.com/reload';
/** stakater/Reloader: comma list of ConfigMap names. */
export const RELOADER_CONFIGMAP_RELOAD_ANNOTATION = 'configmap.reloader.stakater.com/reload';
/** stakater/Reloader: comma list of Secret names never to reload for (only affects Reloader's own annotations). */
export const RELOADER_SECRET_EXCLUDE_ANNOTATION = 'secrets.exclude.reloader.stakater.com/reload';
/** stakater/Reloader: comma list of ConfigMap names never to reload for. */
export const RELOADER_CONFIGMAP_EXCLUDE_ANNOTATION = 'configmaps.exclude.reloader.stakater.com/reload';

/** stakater/Reloader: `"true"` on a workload → restart for a referenced Secret/ConfigMap annotated RELOADER_MATCH. */
export const RELOADER_SEARCH_ANNOTATION = 'reloader.stakater.com/search';
/** stakater/Reloader: `"true"` on a Secret/ConfigMap → it restarts the workloads that search (RELOADER_SEARCH). */
export const RELOADER_MATCH_ANNOTATION = 'reloader.stakater.com/match';
/** stakater/Reloader: `"true"` on a Secret/ConfigMap → never restart anything for it. */
export const RELOADER_IGNORE_ANNOTATION = 'reloader.stakater.com/ignore';

/**
 * Prefix of the pod-template annotation written on restart: `restart.akvsync.io/secret-<name>` or
 * `restart.akvsync.io/configmap-<name>` (name part hashed when too long), value = the data hash.
 * See core/restart/restart-annotation.ts.
 */
export const RESTART_ANNOTATION_PREFIX = 'restart.akvsync.io/';
