import type { OutputKind } from '../../../../core/crd/output-kind.js';
import type { AkvsStatus, AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { dataHash } from '../../../../core/sync/data-hash.js';
import type {
  ClusterApi,
  ClusterEvent,
  ExistingOutput,
  OutputApply,
  OwnerReference,
  OutputRef,
  Workload,
  WorkloadRef,
} from '../../../../cluster-agent/ports/cluster-api.js';
import { OUTPUT_CONTROLLER_TAKEN } from '../../../../cluster-agent/ports/cluster-api.js';
import { TransientError } from '../../../../core/errors.js';

export interface StoredOutput {
  kind: OutputKind;
  namespace: string;
  name: string;
  secretType: string | undefined;
  data: Record<string, Buffer>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owners: OwnerReference[];
  /** Which field manager owns each data key (server-side apply's managedFields); unlisted keys belong to nobody we know. */
  keyManagers?: Record<string, string>;
}

const id = (r: { kind: string; namespace: string; name: string }): string => `${r.kind}/${r.namespace}/${r.name}`;

function existing(o: StoredOutput, hashKey: Uint8Array): ExistingOutput {
  const { kind, namespace, name } = o;
  const dataKeysByManager: Record<string, string[]> = {};
  for (const [key, manager] of Object.entries(o.keyManagers ?? {})) (dataKeysByManager[manager] ??= []).push(key);
  const data = { ...o.data };
  return {
    kind, namespace, name,
    owners: o.owners.map((r) => ({ ...r })),
    labels: { ...o.labels },
    annotations: { ...o.annotations },
    secretType: o.secretType,
    dataHash: dataHash(data, hashKey),
    dataKeysByManager,
    dataHashAfter: (removed, added) => {
      const after: Record<string, Uint8Array> = { ...data };
      for (const key of removed) delete after[key];
      return dataHash({ ...after, ...added }, hashKey);
    },
  };
}

/** `a=b,c` style equality and existence selectors, as far as the agent uses them. */
function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector.split(',').filter(Boolean).every((term) => {
    const [k, v] = term.split('=');
    return v === undefined ? k! in labels : labels[k!] === v;
  });
}

/**
 * ClusterApi fake that behaves like server-side apply per field manager (each manager owns the data keys it applied;
 * a key it stops applying is pruned unless another manager owns it; labels, annotations and owner references are
 * merged), and records everything the agent did.
 */
export class InMemoryClusterApi implements ClusterApi {
  /** `hashKey`: the data-hash key, as the real adapter gets the reconciler's. */
  constructor(private readonly hashKey: Uint8Array) {}

  readonly outputs = new Map<string, StoredOutput>();
  readonly statuses = new Map<string, AkvsStatus>();
  /** Finalizer changes (namespace/name → present) in order, and whether the CRD is being deleted. */
  readonly finalizerChanges: { cr: string; present: boolean }[] = [];
  crdTerminating = false;
  /** Deleted and released outputs (kind/namespace/name), in order. */
  readonly deletions: string[] = [];
  readonly releases: { output: string; fieldManager: string }[] = [];
  readonly events: (ClusterEvent & { cr: string })[] = [];
  readonly applies: OutputApply[] = [];
  readonly statusPatches: { cr: string; status: AkvsStatus }[] = [];
  readonly workloads: Workload[] = [];
  readonly restartPatches: { ref: WorkloadRef; key: string; value: string }[] = [];
  /** Every getOutput (kind/namespace/name) and listOutputs (kind/namespace) call, in order. */
  readonly outputReads: string[] = [];
  readonly outputListings: string[] = [];
  /** Every write (apply, status, event, patch), in the order they happened. */
  readonly writes: ('apply' | 'status' | 'event' | 'patch')[] = [];
  /** The namespace of every listWorkloads call, in order. */
  readonly workloadListings: string[] = [];
  private readonly failures: Partial<Record<'apply' | 'status' | 'patch', unknown>> = {};

  failNext(op: 'apply' | 'status' | 'patch', error: unknown): void {
    this.failures[op] = error;
  }

  putOutput(o: StoredOutput): void {
    this.outputs.set(id(o), o);
  }

  output(kind: OutputKind, namespace: string, name: string): StoredOutput | undefined {
    return this.outputs.get(id({ kind, namespace, name }));
  }

  async getOutput(ref: OutputRef): Promise<ExistingOutput | undefined> {
    this.outputReads.push(id(ref));
    const o = this.outputs.get(id(ref));
    return o ? existing(o, this.hashKey) : undefined;
  }

  async listOutputs(kind: OutputKind, namespace: string, labelSelector: string): Promise<ExistingOutput[]> {
    this.outputListings.push(`${kind}/${namespace}`);
    const matching = [...this.outputs.values()].filter((o) => o.kind === kind && o.namespace === namespace && matchesSelector(o.labels, labelSelector));
    return matching.map((o) => existing(o, this.hashKey));
  }

  async applyOutput(o: OutputApply): Promise<void> {
    this.take('apply');
    this.writes.push('apply');
    this.applies.push(o);
    const before = this.outputs.get(id(o));
    const keyManagers = { ...(before?.keyManagers ?? {}) };
    const data = { ...(before?.data ?? {}) };
    for (const [key, manager] of Object.entries(keyManagers)) {
      if (manager === o.fieldManager && !Object.hasOwn(o.data, key)) {
        delete keyManagers[key];
        delete data[key];
      }
    }
    for (const [key, value] of Object.entries(o.data)) {
      data[key] = value;
      keyManagers[key] = o.fieldManager;
    }
    const owners = (before?.owners ?? []).filter((r) => r.uid !== o.owner?.uid);
    if (o.owner) owners.push({ ...o.owner });
    if (owners.filter((r) => r.controller).length > 1) throw new TransientError(OUTPUT_CONTROLLER_TAKEN, `${id(o)}: only one owner reference may be the controller`);
    this.outputs.set(id(o), {
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      secretType: o.secretType,
      data,
      labels: { ...(before?.labels ?? {}), ...o.labels },
      annotations: { ...(before?.annotations ?? {}), ...o.annotations },
      owners,
      keyManagers,
    });
  }

  async deleteOutput(ref: OutputRef): Promise<void> {
    this.deletions.push(id(ref));
    this.outputs.delete(id(ref));
  }

  /** Like server-side apply of nothing: the manager's keys go unless another manager owns them too (one owner per key here). */
  async releaseOutput(ref: OutputRef, fieldManager: string): Promise<void> {
    this.releases.push({ output: id(ref), fieldManager });
    const o = this.outputs.get(id(ref));
    if (!o) return;
    const keyManagers = { ...(o.keyManagers ?? {}) };
    const data = { ...o.data };
    for (const [key, manager] of Object.entries(keyManagers)) {
      if (manager !== fieldManager) continue;
      delete keyManagers[key];
      delete data[key];
    }
    this.outputs.set(id(ref), { ...o, data, keyManagers });
  }

  async setFinalizer(cr: AzureKeyVaultSecret, present: boolean): Promise<void> {
    this.finalizerChanges.push({ cr: `${cr.metadata.namespace}/${cr.metadata.name}`, present });
  }

  async isCrdTerminating(): Promise<boolean> {
    return this.crdTerminating;
  }

  async patchStatus(cr: AzureKeyVaultSecret, status: AkvsStatus): Promise<void> {
    this.take('status');
    this.writes.push('status');
    const key = `${cr.metadata.namespace}/${cr.metadata.name}`;
    this.statuses.set(key, status);
    this.statusPatches.push({ cr: key, status });
  }

  async recordEvent(cr: AzureKeyVaultSecret, event: ClusterEvent): Promise<void> {
    this.writes.push('event');
    this.events.push({ ...event, cr: `${cr.metadata.namespace}/${cr.metadata.name}` });
  }

  async listWorkloads(namespace: string): Promise<Workload[]> {
    this.workloadListings.push(namespace);
    return this.workloads.filter((w) => w.namespace === namespace);
  }

  async patchPodTemplateAnnotation(ref: WorkloadRef, key: string, value: string): Promise<void> {
    this.take('patch');
    this.writes.push('patch');
    this.restartPatches.push({ ref, key, value });
    const w = this.workloads.find((x) => x.kind === ref.kind && x.namespace === ref.namespace && x.name === ref.name);
    if (w) {
      const index = this.workloads.indexOf(w);
      this.workloads[index] = { ...w, podTemplate: { ...w.podTemplate, annotations: { ...w.podTemplate.annotations, [key]: value } } };
    }
  }

  private take(op: 'apply' | 'status' | 'patch'): void {
    const error = this.failures[op];
    if (error !== undefined) {
      delete this.failures[op];
      throw error;
    }
  }
}
