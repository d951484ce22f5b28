import type { OutputKind } from '../../core/crd/output-kind.js';
/**
 * How an AzureKeyVaultSecret's status is computed from what a reconcile did. Pure: the caller gives the time.
 * `lastTransitionTime` moves only when a condition's status flips; `lastSyncTime` moves only together with another
 * change, so a sync that changes nothing writes nothing (and triggers no watch event).
 */
import { AKVS_CONDITION_TYPES } from '../../core/crd/azure-key-vault-secret.js';
import { FORBIDDEN_REASON } from '../../core/tenancy/evaluate-access.js';
import type { AkvsConditionType, AkvsStatus, AzureKeyVaultSecret, Condition, ConditionStatus } from '../../core/crd/azure-key-vault-secret.js';

export interface SyncedFacts {
  readonly version: string;
  readonly dataHash: string | undefined;
  readonly output: { readonly kind: OutputKind; readonly name: string } | undefined;
  readonly dataChanged: boolean;
  readonly expiresOn: number | undefined;
  /** The Key Vault `updated` time of the synced version (epoch ms), recorded for the catch-up listing. */
  readonly updatedOn?: number | undefined;
  /** Fingerprint of the key `dataHash` was made with. */
  readonly dataHashKeyId?: string | undefined;
}

export function syncedStatus(cr: AzureKeyVaultSecret, facts: SyncedFacts, nowIso: string): AkvsStatus {
  const previous = cr.status ?? {};
  const target = facts.output ? `${facts.output.kind} ${facts.output.name}` : 'no output (env injection only)';
  let status: AkvsStatus = {
    ...previous,
    observedGeneration: cr.metadata.generation,
    syncedVersion: facts.version,
    ...(facts.updatedOn !== undefined ? { syncedUpdatedTime: new Date(facts.updatedOn).toISOString() } : {}),
    ...(facts.dataHash !== undefined ? { dataHash: facts.dataHash } : {}),
    ...(facts.dataHash !== undefined && facts.dataHashKeyId !== undefined ? { dataHashKeyId: facts.dataHashKeyId } : {}),
    ...(facts.output ? { outputKind: facts.output.kind, outputName: facts.output.name } : {}),
    ...(facts.dataChanged || previous.lastChangeTime === undefined ? { lastChangeTime: nowIso } : {}),
    ...(facts.expiresOn !== undefined ? { expiresOn: new Date(facts.expiresOn).toISOString() } : {}),
  };
  delete status.lastError;
  if (facts.expiresOn === undefined) delete status.expiresOn;
  if (facts.updatedOn === undefined) delete status.syncedUpdatedTime;
  if (!facts.output) {
    // The spec names no output any more (its old one was cleaned up): the status names none either.
    delete status.outputKind;
    delete status.outputName;
  }
  status = withCondition(status, cr, { type: AKVS_CONDITION_TYPES.ready, status: 'True', reason: 'Synced', message: `${target} holds version ${facts.version}` }, nowIso);
  status = withCondition(status, cr, { type: AKVS_CONDITION_TYPES.synced, status: 'True', reason: 'Synced', message: `Key Vault version ${facts.version} synced` }, nowIso);
  const expiring = previous.conditions?.find((c) => c.type === AKVS_CONDITION_TYPES.expiring);
  if (expiring?.status === 'True' && previous.syncedVersion !== facts.version) {
    // A NearExpiry/Expired warning was about the version synced before: a new version clears it.
    status = withCondition(status, cr, { type: AKVS_CONDITION_TYPES.expiring, status: 'False', reason: 'NewVersionSynced', message: `Key Vault version ${facts.version} synced` }, nowIso);
  }
  return finish(previous, status, nowIso);
}

/** The codes of a Key Vault object that is disabled or deleted (cluster-agent/adapters/key-vault-errors.ts). */
const KEY_VAULT_OBJECT_GONE: ReadonlySet<string> = new Set(['SecretNotFound', 'SecretDisabled']);

/**
 * A failure: Synced=False with the error's code as reason. Ready stays True while an earlier value is still in place
 * (a failure never blanks an output); it is False when nothing was ever written, when the access policy forbids the
 * CR, and when the Key Vault object is disabled or deleted (`SecretDisabled`/`SecretNotFound`, whatever the object
 * type: the last value is kept, and the message says so, but the CR is not Ready until the object is back).
 */
export function failedStatus(cr: AzureKeyVaultSecret, failure: { code: string; message: string }, nowIso: string): AkvsStatus {
  const previous = cr.status ?? {};
  // Forbidden by the access policy: not Ready whatever was synced before (the output is kept, never blanked).
  const everSynced = previous.syncedVersion !== undefined && failure.code !== FORBIDDEN_REASON;
  const objectGone = KEY_VAULT_OBJECT_GONE.has(failure.code);
  let status: AkvsStatus = { ...previous, observedGeneration: cr.metadata.generation, lastError: failure.message };
  status = withCondition(
    status,
    cr,
    everSynced && objectGone
      ? { type: AKVS_CONDITION_TYPES.ready, status: 'False', reason: failure.code, message: `${failure.message}; the output keeps version ${previous.syncedVersion}` }
      : everSynced
        ? { type: AKVS_CONDITION_TYPES.ready, status: 'True', reason: 'LastValueKept', message: `keeping version ${previous.syncedVersion}: ${failure.message}` }
        : { type: AKVS_CONDITION_TYPES.ready, status: 'False', reason: failure.code, message: failure.message },
    nowIso,
  );
  status = withCondition(status, cr, { type: AKVS_CONDITION_TYPES.synced, status: 'False', reason: failure.code, message: failure.message }, nowIso);
  return finish(previous, status, nowIso);
}

/** Expiring=True after a NearExpiry/Expired event for the object (nothing is synced for those). */
export function expiringStatus(cr: AzureKeyVaultSecret, reason: 'NearExpiry' | 'Expired', message: string, nowIso: string): AkvsStatus {
  const previous = cr.status ?? {};
  const status = withCondition({ ...previous }, cr, { type: AKVS_CONDITION_TYPES.expiring, status: 'True', reason, message }, nowIso);
  return finish(previous, status, nowIso);
}

/** True when writing `next` would change anything a user can see besides lastSyncTime. */
export function statusChanged(previous: AkvsStatus | undefined, next: AkvsStatus): boolean {
  return canonical(previous ?? {}) !== canonical(next);
}

function finish(previous: AkvsStatus, next: AkvsStatus, nowIso: string): AkvsStatus {
  if (!statusChanged(previous, next)) return previous;
  return { ...next, lastSyncTime: nowIso };
}

function withCondition(
  status: AkvsStatus,
  cr: AzureKeyVaultSecret,
  c: { type: AkvsConditionType; status: ConditionStatus; reason: string; message: string },
  nowIso: string,
): AkvsStatus {
  const conditions = [...(status.conditions ?? [])];
  const index = conditions.findIndex((x) => x.type === c.type);
  const old = index >= 0 ? conditions[index] : undefined;
  const next: Condition = {
    ...c,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : nowIso,
    observedGeneration: cr.metadata.generation,
  };
  if (index >= 0) conditions[index] = next;
  else conditions.push(next);
  return { ...status, conditions };
}

function canonical(status: AkvsStatus): string {
  const { lastSyncTime: _ignored, ...rest } = status;
  const conditions = [...(rest.conditions ?? [])].sort((a, b) => a.type.localeCompare(b.type));
  return JSON.stringify({ ...sortKeys(rest), conditions: conditions.map(sortKeys) });
}

function sortKeys<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
}
