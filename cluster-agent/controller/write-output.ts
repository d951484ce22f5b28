import { AKVS_KIND, AKVSYNC_GROUP } from '../../core/crd/azure-key-vault-secret.js';
import { crResourceOf, isAkv2k8sObject } from '../../core/crd/akv2k8s-object.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { DATA_HASH_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../core/crd/annotations.js';
import { crNameOfFieldManager, fieldManagerFor, isAkvsyncFieldManager, syncedVersionAnnotation } from '../../core/crd/output-metadata.js';
import { TerminalError, isAkvsyncError } from '../../core/errors.js';
import type { OutputKind } from '../../core/crd/output-kind.js';
import { OUTPUT_CONTROLLER_TAKEN } from '../ports/cluster-api.js';
import type { ClusterApi, ExistingOutput, OutputApply, OutputRef } from '../ports/cluster-api.js';

export interface DesiredWrite {
  readonly kind: OutputKind;
  readonly namespace: string;
  readonly name: string;
  readonly secretType?: string | undefined;
  readonly data: Readonly<Record<string, Buffer>>;
  readonly dataHash: string;
}

export interface WriteResult {
  /** The apply was sent (something in the object differed). */
  readonly written: boolean;
  /** The output did not exist before. */
  readonly created: boolean;
  /** The output's data changed (new, or a different data hash): the only thing that may restart workloads. */
  readonly dataChanged: boolean;
  /** The keyed hash of the output's whole data after the write (with other CRs' keys, if it is shared). */
  readonly dataHash: string;
  /** The version this CR's synced-version annotation on the output named before the write (undefined: none, or new). */
  readonly versionBefore?: string | undefined;
  /** The output's annotations as found (others' included, e.g. Reloader's match/ignore); empty for a new one. */
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * Writes one CR's part of its output with server-side apply under the CR's own field manager, unless it is already
 * exactly in place: its data keys (keys it wrote before and no longer wants are pruned by the apply), the managed-by
 * and source labels, its synced-version annotation, the whole-data hash and its owner reference. Several CRs may
 * write one output (akv2k8s example 05, docs/adr/0002-shared-outputs.md), each owning its keys. Refuses, leaving the
 * object unchanged: an existing object akvsync does not manage or that something else owns (`SecretNotOwned` /
 * `ConfigMapNotOwned`), and a key another CR writes (`OutputKeyConflict`).
 */
export async function writeOutput(
  io: {
    readonly cluster: ClusterApi;
    readonly lookup: (ref: OutputRef) => Promise<ExistingOutput | undefined>;
    /** Called just before an apply that changes the data of an existing output (work that can overlap the write). */
    readonly beforeDataChange?: () => void;
    /**
     * API groups whose AzureKeyVaultSecrets the agent serves in the output's namespace (default akvsync.io only; plus
     * spv.no where akv2k8s's objects were handed over): an owner reference to any other is foreign.
     */
    readonly servedGroups?: readonly string[];
  },
  cr: AzureKeyVaultSecret,
  desired: DesiredWrite,
  source: {
    readonly version: string;
    readonly labels: Readonly<Record<string, string>>;
    /** An owner reference to the CR (AKVSYNC_OUTPUT_OWNER_REFERENCES; never with `deletionPolicy: Retain`). Default false; always for spv.no objects. */
    readonly ownerReference?: boolean;
  },
): Promise<WriteResult> {
  const ref = { kind: desired.kind, namespace: desired.namespace, name: desired.name };
  try {
    return await writeOnce(io, cr, desired, source, await io.lookup(ref));
  } catch (error) {
    // Two CRs created this output at once and the other became its controller first: read it again and join.
    if (!isAkvsyncError(error) || error.code !== OUTPUT_CONTROLLER_TAKEN) throw error;
    return writeOnce(io, cr, desired, source, await io.cluster.getOutput(ref));
  }
}

async function writeOnce(
  io: Parameters<typeof writeOutput>[0],
  cr: AzureKeyVaultSecret,
  desired: DesiredWrite,
  source: Parameters<typeof writeOutput>[3],
  existing: ExistingOutput | undefined,
): Promise<WriteResult> {
  const fieldManager = fieldManagerFor(cr.metadata.name);
  if (existing) checkMayWrite(existing, cr, desired, fieldManager, io.servedGroups ?? [AKVSYNC_GROUP]);
  const previousKeys = existing && Object.hasOwn(existing.dataKeysByManager, fieldManager) ? existing.dataKeysByManager[fieldManager] ?? [] : [];
  const dataHash = existing ? existing.dataHashAfter(previousKeys, desired.data) : desired.dataHash;
  // akv2k8s's spv.no objects keep akv2k8s's owner reference (their deletion, the rollback), whatever the setting.
  const owner = cr.spec.deletionPolicy === 'Retain' || (source.ownerReference !== true && !isAkv2k8sObject(cr))
    ? undefined
    : { apiVersion: crResourceOf(cr).apiVersion, kind: AKVS_KIND, name: cr.metadata.name, uid: cr.metadata.uid, controller: !existing?.owners.some((o) => o.controller && o.uid !== cr.metadata.uid) };
  const apply: OutputApply = {
    kind: desired.kind,
    namespace: desired.namespace,
    name: desired.name,
    fieldManager,
    secretType: desired.kind === 'Secret' ? (desired.secretType ?? 'Opaque') : undefined,
    data: desired.data,
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...source.labels },
    annotations: { [DATA_HASH_ANNOTATION]: dataHash, [syncedVersionAnnotation(cr.metadata.name)]: source.version },
    owner,
  };
  const dataChanged = !existing || existing.dataHash !== dataHash;
  const versionAnnotation = syncedVersionAnnotation(cr.metadata.name);
  const versionBefore = existing && Object.hasOwn(existing.annotations, versionAnnotation) ? existing.annotations[versionAnnotation] : undefined;
  const annotations = existing?.annotations ?? {};
  if (existing && !dataChanged && isUpToDate(existing, apply, cr)) return { written: false, created: false, dataChanged: false, dataHash, versionBefore, annotations };
  if (existing && dataChanged) io.beforeDataChange?.();
  await io.cluster.applyOutput(apply);
  return { written: true, created: !existing, dataChanged, dataHash, versionBefore, annotations };
}

/** Throws unless this CR may write its keys into the existing object. */
function checkMayWrite(existing: ExistingOutput, cr: AzureKeyVaultSecret, desired: DesiredWrite, fieldManager: string, servedGroups: readonly string[]): void {
  const managed = existing.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  // Kind and API group: akv2k8s's AzureKeyVaultSecret (spv.no) has the same kind, and two controllers must never
  // write one Secret: a Secret akv2k8s's object owns is refused, unless its namespace was handed over to the agent
  // (then the agent serves that object, so its owner reference is the agent's own).
  const foreignOwner = existing.owners.find((o) => o.kind !== AKVS_KIND || !servedGroups.includes(o.apiVersion.split('/')[0] ?? ''));
  const mine = existing.owners.some((o) => o.uid === cr.metadata.uid) || Object.hasOwn(existing.dataKeysByManager, fieldManager);
  if (!mine && (!managed || foreignOwner)) {
    const why = foreignOwner ? `is owned by ${foreignOwner.kind} ${foreignOwner.name} (${foreignOwner.apiVersion})` : 'exists and is not managed by akvsync';
    throw new TerminalError(
      desired.kind === 'Secret' ? 'SecretNotOwned' : 'ConfigMapNotOwned',
      `${desired.kind} ${desired.namespace}/${desired.name} ${why}; AzureKeyVaultSecret ${cr.metadata.name} does not overwrite it`,
    );
  }
  for (const [manager, keys] of Object.entries(existing.dataKeysByManager)) {
    if (manager === fieldManager || !isAkvsyncFieldManager(manager)) continue;
    const taken = keys.find((k) => Object.hasOwn(desired.data, k));
    if (taken !== undefined) {
      // Only a key named in the spec is quoted: the keys of a multi-key-value secret come from its value.
      const specKey = cr.spec.output?.secret?.dataKey ?? cr.spec.output?.configMap?.dataKey;
      const which = taken === specKey ? `key "${taken}"` : 'a key';
      throw new TerminalError(
        'OutputKeyConflict',
        `${which} of ${desired.kind} ${desired.namespace}/${desired.name} is written by AzureKeyVaultSecret ${crNameOfFieldManager(manager)}; ` +
          `AzureKeyVaultSecret ${cr.metadata.name} does not take it (give each its own dataKey)`,
      );
    }
  }
}

function isUpToDate(existing: ExistingOutput, apply: OutputApply, cr: AzureKeyVaultSecret): boolean {
  const labelsOk = Object.entries(apply.labels).every(([k, v]) => existing.labels[k] === v);
  const annotationsOk = Object.entries(apply.annotations).every(([k, v]) => existing.annotations[k] === v);
  const current = existing.owners.find((o) => o.uid === cr.metadata.uid);
  const ownerOk = apply.owner ? current?.controller === apply.owner.controller : current === undefined;
  const typeOk = apply.kind !== 'Secret' || existing.secretType === apply.secretType;
  return labelsOk && annotationsOk && ownerOk && typeOk;
}
