import { crNameOfFieldManager, fieldManagerFor, isAkvsyncFieldManager } from '../../core/crd/output-metadata.js';
import type { ClusterApi, ExistingOutput, OutputRef } from '../ports/cluster-api.js';

/** What becomes of an output one CR stops writing (the CR deleted, or its output renamed, switched or removed). */
export type CleanupPlan =
  /** Nothing to do: the output is gone, or this CR never wrote it (somebody else's object of that name). */
  | { readonly action: 'none'; readonly why: 'gone' | 'not-written-by-this-cr' }
  /** This CR was its only writer: delete it (at the resourceVersion read, so a write meanwhile is never lost). */
  | { readonly action: 'delete' }
  /** Others write it too: remove only this CR's keys, labels and annotations; the other CRs are re-queued. */
  | { readonly action: 'release'; readonly otherCrs: readonly string[] };

/**
 * Pure: decides from what the apiserver holds. A CR's part of an output is what its field manager owns
 * (docs/adr/0002-shared-outputs.md); another manager that owns data keys (another CR, or a person's `kubectl edit`)
 * keeps the object alive, and so does an owner reference to anything else.
 */
export function planOutputCleanup(existing: ExistingOutput | undefined, cr: { readonly name: string; readonly uid: string }): CleanupPlan {
  if (!existing) return { action: 'none', why: 'gone' };
  const manager = fieldManagerFor(cr.name);
  const written = Object.hasOwn(existing.dataKeysByManager, manager) || existing.owners.some((o) => o.uid === cr.uid);
  if (!written) return { action: 'none', why: 'not-written-by-this-cr' };
  const otherManagers = Object.keys(existing.dataKeysByManager).filter((m) => m !== manager && (existing.dataKeysByManager[m]?.length ?? 0) > 0);
  const otherOwners = existing.owners.filter((o) => o.uid !== cr.uid);
  if (otherManagers.length === 0 && otherOwners.length === 0) return { action: 'delete' };
  return { action: 'release', otherCrs: otherManagers.filter(isAkvsyncFieldManager).map(crNameOfFieldManager) };
}

/** Reads the output, then deletes it or releases this CR's part of it (planOutputCleanup). Returns what was done. */
export async function cleanUpOutput(
  cluster: ClusterApi,
  cr: { readonly name: string; readonly uid: string },
  ref: OutputRef,
): Promise<CleanupPlan> {
  const existing = await cluster.getOutput(ref);
  const plan = planOutputCleanup(existing, cr);
  if (!existing || plan.action === 'none') return plan;
  if (plan.action === 'delete') await cluster.deleteOutput(ref, existing.resourceVersion);
  else await cluster.releaseOutput(ref, fieldManagerFor(cr.name), { secretType: existing.secretType, resourceVersion: existing.resourceVersion });
  return plan;
}
