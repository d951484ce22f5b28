/**
 * The narrow port over the Kubernetes API that the reconcile loop uses. Adapters: KubeClusterApi (the real
 * @kubernetes/client-node client); InMemoryClusterApi in unit tests. Output data is handed over only to be written;
 * nothing here logs it.
 */
import type { AkvsStatus, AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { OutputKind } from '../../core/crd/output-kind.js';
import type { WorkloadKind } from '../../core/restart/workload-kinds.js';

export interface OutputRef {
  readonly kind: OutputKind;
  readonly namespace: string;
  readonly name: string;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  /** At most one owner of an object is its controller. */
  readonly controller: boolean;
}

/** What the agent needs to know about a Secret/ConfigMap that is already there (never its values). */
export interface ExistingOutput extends OutputRef {
  readonly owners: readonly OwnerReference[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Secret `type` (undefined for ConfigMaps). */
  readonly secretType: string | undefined;
  /** Keyed dataHash() of the object's current data, so drift and real changes are seen whatever the annotation says. */
  readonly dataHash: string;
  /** The data keys (of `data` and `binaryData`) each server-side-apply field manager owns (`managedFields`). */
  readonly dataKeysByManager: Readonly<Record<string, readonly string[]>>;
  /**
   * The keyed dataHash() the data would have with the keys `removed` dropped and `added` set: the hash after a write,
   * computed where the values are, so the caller never sees the values other writers put there.
   */
  dataHashAfter(removed: readonly string[], added: Readonly<Record<string, Uint8Array>>): string;
  /** The object's resourceVersion (a precondition for deleting exactly what was read). */
  readonly resourceVersion?: string | undefined;
}

/** One CR's part of an output, written with server-side apply under the CR's own field manager (force). */
export interface OutputApply extends OutputRef {
  readonly fieldManager: string;
  readonly secretType: string | undefined;
  readonly data: Readonly<Record<string, Buffer>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Owner reference to the CR; absent for `deletionPolicy: Retain`. */
  readonly owner: OwnerReference | undefined;
}

export interface WorkloadRef {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
}

export interface Workload extends WorkloadRef {
  readonly annotations: Readonly<Record<string, string>>;
  readonly podTemplate: { readonly annotations?: Readonly<Record<string, string>>; readonly spec: unknown };
}

export interface ClusterEvent {
  readonly type: 'Normal' | 'Warning';
  /** UpperCamelCase, e.g. `Synced`, `SecretNotOwned`. */
  readonly reason: string;
  /** Names, versions and codes only: never a value. */
  readonly message: string;
}

export interface ClusterApi {
  getOutput(ref: OutputRef): Promise<ExistingOutput | undefined>;
  /** The outputs of one kind in a namespace that match a label selector (e.g. `source.akvsync.io/<digest>`). */
  listOutputs(kind: OutputKind, namespace: string, labelSelector: string): Promise<ExistingOutput[]>;
  /**
   * Throws TransientError `OUTPUT_CONTROLLER_TAKEN` when the owner reference says `controller: true` but another owner
   * became the controller meanwhile (two CRs creating one output at once): re-read the output and apply again.
   */
  applyOutput(output: OutputApply): Promise<void>;
  /**
   * Output lifecycle (cleanup.ts): deletes the output only if it is still at `resourceVersion` (a 409 means somebody
   * wrote it meanwhile: TransientError, read again); an output already gone is no error.
   */
  deleteOutput(ref: OutputRef, resourceVersion: string | undefined): Promise<void>;
  /**
   * Server-side apply of nothing under `fieldManager`: everything that manager alone owned (its keys, labels,
   * annotations, owner reference) is removed. `keep.secretType` stays applied (a Secret's type is immutable);
   * `keep.resourceVersion` makes it conditional (409 → TransientError), so an object deleted meanwhile is never re-created.
   */
  releaseOutput(ref: OutputRef, fieldManager: string, keep?: { readonly secretType?: string | undefined; readonly resourceVersion?: string | undefined }): Promise<void>;
  /** Adds or removes akvsync's finalizer on the CR (its own field manager, so other finalizers are never touched). */
  setFinalizer(cr: AzureKeyVaultSecret, present: boolean): Promise<void>;
  /** Whether the AzureKeyVaultSecret CRD itself is being deleted (then CRs going away are an uninstall: outputs stay). */
  isCrdTerminating(): Promise<boolean>;
  /** Replaces `.status` through the status subresource. */
  patchStatus(cr: AzureKeyVaultSecret, status: AkvsStatus): Promise<void>;
  recordEvent(cr: AzureKeyVaultSecret, event: ClusterEvent): Promise<void>;
  listWorkloads(namespace: string): Promise<Workload[]>;
  /**
   * A rolling restart that records `value` under annotation `key`: a pod-template annotation, or for an Argo Rollout
   * its own annotation plus `spec.restartAt` (core/restart/workload-kinds.ts); idempotent for the annotation.
   */
  patchPodTemplateAnnotation(ref: WorkloadRef, key: string, value: string): Promise<void>;
}

/** The code of applyOutput's error when another owner holds the controller reference (apiserver 422 on ownerReferences). */
export const OUTPUT_CONTROLLER_TAKEN = 'OutputControllerTaken';
