import { AKVS_API_VERSION, AKVS_KIND } from '../../core/crd/azure-key-vault-secret.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { DATA_HASH_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_NAME_LABEL, SOURCE_LABEL, SYNCED_VERSION_ANNOTATION } from '../../core/crd/annotations.js';
import { TerminalError } from '../../core/errors.js';
import type { ClusterApi, ExistingOutput, OutputApply, OutputKind, OutputRef } from '../ports/cluster-api.js';

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
  /** The data itself changed (new or different data hash): the only thing that may restart workloads. */
  readonly dataChanged: boolean;
}

/**
 * Writes one CR's output with server-side apply, unless it is already exactly as desired. Refuses to touch an
 * object the agent does not own (no owner reference to this CR and no akvsync labels naming it): TerminalError
 * 'SecretNotOwned', the existing object unchanged.
 */
export async function writeOutput(
  io: {
    readonly cluster: ClusterApi;
    readonly lookup: (ref: OutputRef) => Promise<ExistingOutput | undefined>;
    /** Called just before an apply that changes the data of an existing output (work that can overlap the write). */
    readonly beforeDataChange?: () => void;
  },
  cr: AzureKeyVaultSecret,
  desired: DesiredWrite,
  source: { readonly version: string; readonly label: string },
): Promise<WriteResult> {
  const existing = await io.lookup({ kind: desired.kind, namespace: desired.namespace, name: desired.name });
  if (existing && !isOwnedBy(existing, cr)) {
    const otherAkvs = existing.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE ? existing.labels[OWNER_NAME_LABEL] : undefined;
    const why = otherAkvs
      ? `is written by AzureKeyVaultSecret ${otherAkvs}; several AzureKeyVaultSecrets writing one ${desired.kind} are not supported yet, give each its own output name`
      : `exists and is not managed by AzureKeyVaultSecret ${cr.metadata.name}`;
    throw new TerminalError(
      desired.kind === 'Secret' ? 'SecretNotOwned' : 'ConfigMapNotOwned',
      `${desired.kind} ${desired.namespace}/${desired.name} ${why}; not overwriting it`,
    );
  }
  const owner = cr.spec.deletionPolicy === 'Retain'
    ? undefined
    : { apiVersion: AKVS_API_VERSION, kind: AKVS_KIND, name: cr.metadata.name, uid: cr.metadata.uid };
  const apply: OutputApply = {
    kind: desired.kind,
    namespace: desired.namespace,
    name: desired.name,
    secretType: desired.kind === 'Secret' ? (desired.secretType ?? 'Opaque') : undefined,
    data: desired.data,
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [OWNER_NAME_LABEL]: cr.metadata.name, [SOURCE_LABEL]: source.label },
    annotations: { [DATA_HASH_ANNOTATION]: desired.dataHash, [SYNCED_VERSION_ANNOTATION]: source.version },
    owner,
  };
  const dataChanged = !existing || existing.dataHash !== desired.dataHash;
  if (existing && !dataChanged && isUpToDate(existing, apply, cr)) return { written: false, created: false, dataChanged: false };
  if (existing && dataChanged) io.beforeDataChange?.();
  await io.cluster.applyOutput(apply);
  return { written: true, created: !existing, dataChanged };
}

export function isOwnedBy(existing: ExistingOutput, cr: AzureKeyVaultSecret): boolean {
  if (existing.ownerUids.includes(cr.metadata.uid)) return true;
  return existing.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && existing.labels[OWNER_NAME_LABEL] === cr.metadata.name;
}

function isUpToDate(existing: ExistingOutput, apply: OutputApply, cr: AzureKeyVaultSecret): boolean {
  const labelsOk = Object.entries(apply.labels).every(([k, v]) => existing.labels[k] === v);
  const annotationsOk = Object.entries(apply.annotations).every(([k, v]) => existing.annotations[k] === v);
  const ownerOk = apply.owner ? existing.ownerUids.includes(apply.owner.uid) : !existing.ownerUids.includes(cr.metadata.uid);
  const typeOk = apply.kind !== 'Secret' || existing.secretType === apply.secretType;
  return labelsOk && annotationsOk && ownerOk && typeOk;
}
