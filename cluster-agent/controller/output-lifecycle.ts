import type { Logger } from 'pino';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { OUTPUT_FINALIZER } from '../../core/crd/output-metadata.js';
import { outputTargetOf } from '../../core/sync/compute-desired-output.js';
import { cleanupKeepsFinalizer, describeFailure } from '../error-policy.js';
import type { ClusterApi, OutputRef } from '../ports/cluster-api.js';
import type { AkvsIndex } from './akvs-index.js';
import { isAkv2k8sObject } from '../../core/crd/akv2k8s-object.js';
import { finalizeKey } from './object-key.js';
import { cleanUpOutput } from './output-cleanup.js';
import type { CleanupPlan } from './output-cleanup.js';
import { success } from './queue-action.js';
import type { ReconcileResult } from './queue-action.js';

interface Enqueue {
  add(key: string): void;
  addCr?(key: string, crId: string): void;
}

export interface OutputLifecycleDeps {
  readonly cluster: ClusterApi;
  readonly index: AkvsIndex;
  readonly queue: Enqueue;
  readonly logger: Logger;
}

/**
 * What happens to outputs when a CR stops writing them (docs/adr/0004-output-lifecycle.md). Outputs carry no owner
 * reference by default, so nothing is garbage-collected behind the agent's back; instead:
 * - a CR with an output and `deletionPolicy: Delete` gets the finalizer `akvsync.io/output-cleanup` before its first
 *   write, and when it is deleted the agent deletes its output (it was the only writer) or removes only its keys (others
 *   write there too), then removes the finalizer — unless the CRD itself is being deleted (an uninstall): then every
 *   output stays;
 * - a CR whose output was renamed, switched kind or removed has the output its status names cleaned up the same way,
 *   after the new one is written.
 */
export class OutputLifecycle {
  /** CRs being deleted that carry our finalizer, by namespace/name, until the finalize key has run. */
  private readonly deleting = new Map<string, AzureKeyVaultSecret>();

  constructor(private readonly deps: OutputLifecycleDeps) {}

  /** The informer saw a CR with a deletionTimestamp: its clean-up goes on the work queue if our finalizer is on it. */
  crDeleting(cr: AzureKeyVaultSecret): void {
    if (!hasFinalizer(cr)) return;
    const { namespace, name } = cr.metadata;
    this.deleting.set(`${namespace}/${name}`, cr);
    this.deps.queue.add(finalizeKey(namespace, name));
  }

  /** The CR is gone from the apiserver. */
  crGone(namespace: string, name: string): void {
    this.deleting.delete(`${namespace}/${name}`);
  }

  /** Before a CR writes (or stops writing) an output: the finalizer is on it exactly when its output must be cleaned up. */
  async ensureFinalizer(cr: AzureKeyVaultSecret, writesOutput: boolean): Promise<void> {
    // akv2k8s's spv.no objects keep akv2k8s's semantics: their outputs go with them through the owner reference.
    if (isAkv2k8sObject(cr)) return;
    const wanted = writesOutput && cr.spec.deletionPolicy !== 'Retain';
    if (wanted !== hasFinalizer(cr)) await this.deps.cluster.setFinalizer(cr, wanted);
  }

  /** After a CR wrote `current` (undefined: it writes nothing now): the other output its status still names is cleaned up. */
  async releasePrevious(cr: AzureKeyVaultSecret, current: Omit<OutputRef, 'namespace'> | undefined): Promise<void> {
    const kind = cr.status?.outputKind;
    const name = cr.status?.outputName;
    if (kind === undefined || name === undefined) return;
    if (current?.kind === kind && current.name === name) return;
    // Retain: the agent never deletes what this CR wrote, renamed or not.
    if (cr.spec.deletionPolicy === 'Retain') return;
    const ref = { kind, namespace: cr.metadata.namespace, name };
    await this.cleanUp(cr, ref, current ? 'output renamed' : 'output removed from the spec');
  }

  /** The finalize work-queue key of a CR being deleted. */
  async finalize(namespace: string, name: string): Promise<ReconcileResult> {
    const cr = this.deleting.get(`${namespace}/${name}`);
    if (!cr) return success;
    try {
      if (cr.spec.deletionPolicy === 'Retain') {
        this.deps.logger.info({ namespace, name }, 'CR deleted; output retained (deletionPolicy Retain)');
      } else if (await this.deps.cluster.isCrdTerminating()) {
        this.deps.logger.info({ namespace, name }, 'CR deleted with its CRD (uninstall); output left in place');
      } else {
        for (const ref of targetsOf(cr)) await this.cleanUp(cr, ref, 'CR deleted');
      }
    } catch (error) {
      if (cleanupKeepsFinalizer(error)) return { kind: 'error', error };
      this.deps.logger.warn({ namespace, name, code: describeFailure(error).code, err: describeFailure(error).message }, 'output clean-up failed; finalizer removed, output left in place');
    }
    try {
      await this.deps.cluster.setFinalizer(cr, false);
    } catch (error) {
      return { kind: 'error', error };
    }
    this.deleting.delete(`${namespace}/${name}`);
    return success;
  }

  private async cleanUp(cr: AzureKeyVaultSecret, ref: OutputRef, why: string): Promise<CleanupPlan> {
    const plan = await cleanUpOutput(this.deps.cluster, cr.metadata, ref);
    const { namespace, name } = cr.metadata;
    if (plan.action === 'none') return plan;
    this.deps.logger.info({ namespace, name, output: `${ref.kind}/${ref.name}`, action: plan.action, why }, plan.action === 'delete' ? 'output deleted' : 'keys of this CR removed from a shared output');
    if (plan.action === 'release') {
      // The other writers recompute the whole-data hash annotation of what is left (a CR-only reconcile: no Key Vault read).
      for (const other of plan.otherCrs) {
        const key = this.deps.index.keyOf(namespace, other);
        if (key === undefined) continue;
        if (this.deps.queue.addCr) this.deps.queue.addCr(key, `${namespace}/${other}`);
        else this.deps.queue.add(key);
      }
    }
    return plan;
  }
}

function hasFinalizer(cr: AzureKeyVaultSecret): boolean {
  return cr.metadata.finalizers?.includes(OUTPUT_FINALIZER) ?? false;
}

/** The output a CR's spec names and the one its status last recorded (they differ after an unfinished rename). */
function targetsOf(cr: AzureKeyVaultSecret): OutputRef[] {
  const { namespace } = cr.metadata;
  const refs: OutputRef[] = [];
  const spec = outputTargetOf(cr);
  if (spec) refs.push({ kind: spec.kind, namespace, name: spec.name });
  const { outputKind, outputName } = cr.status ?? {};
  if (outputKind !== undefined && outputName !== undefined && !refs.some((r) => r.kind === outputKind && r.name === outputName)) {
    refs.push({ kind: outputKind, namespace, name: outputName });
  }
  return refs;
}
