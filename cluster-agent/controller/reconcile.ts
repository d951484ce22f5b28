import type { Logger } from 'pino';
import { forEachLimited } from '../../core/concurrency/for-each-limited.js';
import { sourceLabel } from '../../core/crd/output-metadata.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { validateAkvsSpec } from '../../core/crd/validate-spec.js';
import { TerminalError, isAkvsyncError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { VaultObject, VaultObjectRef, VaultObjectStore } from '../../core/ports/vault-object-store.js';
import { computeDesiredOutput, outputTargetOf } from '../../core/sync/compute-desired-output.js';
import { dataHashKeyId } from '../../core/sync/data-hash.js';
import type { AgentEvents } from '../agent-events.js';
import type { AgentMetrics } from '../metrics.js';
import type { OutputKind } from '../../core/crd/output-kind.js';
import type { ClusterApi, OutputRef } from '../ports/cluster-api.js';
import type { AkvsIndex } from './akvs-index.js';
import { syncedStatus } from './akvs-status.js';
import { FailureRecorder } from './failure-recorder.js';
import { parseKey, sourceDigest } from './object-key.js';
import { OutputLookup } from './output-lookup.js';
import { success } from './queue-action.js';
import type { ReconcileResult } from './queue-action.js';
import { WorkloadRestarter } from './restart-workloads.js';
import type { ChangedOutput } from './restart-workloads.js';
import { StatusWriter } from './status-writer.js';
import { mostRetryable } from '../error-policy.js';
import type { SyncHints } from './sync-hints.js';
import type { LatestReads } from './latest-reads.js';
import type { ReadStates } from './read-state.js';
import type { ReconcileRequests } from './reconcile-requests.js';
import { writeOutput } from './write-output.js';
import type { DesiredWrite, WriteResult } from './write-output.js';
import { AccessGate } from '../tenancy/access-gate.js';
import type { OutputLifecycle } from './output-lifecycle.js';

export interface ReconcilerDeps {
  readonly index: AkvsIndex;
  readonly store: VaultObjectStore;
  readonly cluster: ClusterApi;
  readonly clock: Clock;
  readonly hints: SyncHints;
  readonly readStates: ReadStates;
  readonly events: AgentEvents;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics | undefined;
  readonly honourReloaderAnnotations: boolean;
  /** HMAC key of every data hash (the one the ClusterApi adapter hashes existing data with): never unkeyed. */
  readonly dataHashKey: Uint8Array;
  /** Why each key was queued (full vs. only some CRs); absent: every reconcile is full. */
  readonly requests?: ReconcileRequests | undefined;
  /** The last read of each object's latest version, reused by CR-only reconciles; absent: always read. */
  readonly latestReads?: LatestReads | undefined;
  /** Tenancy, checked before any Key Vault read (default: everything allowed, read with `store`). */
  readonly access?: AccessGate;
  /** Finalizer and rename clean-up of outputs (controller/output-lifecycle.ts); absent: outputs are never cleaned up. */
  readonly lifecycle?: OutputLifecycle | undefined;
  /** Owner references from outputs to their CRs (AKVSYNC_OUTPUT_OWNER_REFERENCES); default false. */
  readonly outputOwnerReferences?: boolean | undefined;
  /** The AzureKeyVaultSecret API groups served in a namespace (akv2k8s hand-over); default akvsync.io only. */
  readonly servedGroups?: (namespace: string) => readonly string[];
}

/**
 * Level-based reconcile of one work-queue key. For a vault object: the access policy first (forbidden CRs are refused
 * with no Key Vault call), then read Key Vault ONCE per version wanted (latest or pinned) and reading identity, then
 * converge every CR that references the object, data first: each output written with server-side apply and, when the agent changed its data, the opted-in workloads rolled; then each CR's status and Event. Per-CR
 * failures are recorded on that CR and do not stop the others; the most retryable error goes back to the work queue,
 * which decides what happens next.
 */
export class Reconciler {
  private readonly status: StatusWriter;
  private readonly failures: FailureRecorder;
  /** Restarts owed for data the agent wrote, kept until they succeed (a failed patch must not lose them). */
  private readonly pendingRestarts = new Map<string, ChangedOutput>();
  private readonly access: AccessGate;
  private readonly dataHashKeyId: string;

  constructor(private readonly deps: ReconcilerDeps) {
    this.access = deps.access ?? AccessGate.open(deps.store);
    this.dataHashKeyId = dataHashKeyId(deps.dataHashKey);
    this.status = new StatusWriter(deps.cluster, deps.index, deps.clock);
    this.failures = new FailureRecorder({ ...deps, status: this.status });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const scope = this.deps.requests?.take(key) ?? { full: true };
    const parsed = parseKey(key);
    if (!parsed) return { kind: 'error', error: new TerminalError('InvalidKey', `work-queue key ${JSON.stringify(key)} is not understood`) };
    if (parsed.kind === 'cr') return this.reconcileUnkeyedCr(parsed.namespace, parsed.name);
    if (parsed.kind === 'finalize') return this.deps.lifecycle?.finalize(parsed.namespace, parsed.name) ?? success;
    const all = this.deps.index.crsFor(key);
    const crs = scope.full ? all : all.filter((cr) => scope.crs.has(`${cr.metadata.namespace}/${cr.metadata.name}`));
    const eventTime = this.deps.hints.take(key);
    if (crs.length === 0) return success;
    const errors: unknown[] = [];
    const restarter = new WorkloadRestarter(this.deps.cluster, { honourReloaderAnnotations: this.deps.honourReloaderAnnotations });
    const source = sourceLabel(sourceDigest(key));
    let access;
    try {
      access = await this.access.split(crs);
    } catch (error) {
      return { kind: 'error', error };
    }
    for (const { cr, error } of access.refused) {
      errors.push(error);
      await this.failures.record([cr], error, errors);
    }
    for (const [version, group, store] of access.readers.flatMap((r) => [...groupByVersion(r.crs)].map(([v, g]) => [v, g, r.store] as const))) {
      // The existing outputs of the first batch are read from the apiserver while Key Vault is read: neither needs the
      // other, and on the one-object path that is one apiserver round trip fewer before the write.
      const lookup = new OutputLookup(this.deps.cluster, source, outputsOf(group));
      lookup.prefetch(outputRefsOf(group.slice(0, FAN_OUT_CONCURRENCY)));
      let secret: VaultObject;
      try {
        secret = await this.read(key, parsed.ref, version, scope.full, store);
      } catch (error) {
        if (version === undefined) this.deps.latestReads?.forget(key);
        if (version === undefined && isAkvsyncError(error) && error.kind === 'not-found') {
          this.deps.readStates.record(key, { present: error.code === 'SecretDisabled', enabled: false, updatedOn: undefined });
        }
        errors.push(error);
        await this.failures.record(group, error, errors);
        continue;
      }
      const context: WriteContext = { secret, eventTime, restarter, lookup, source };
      // The data first: every output written and its workloads rolled, then the status and Event of each CR.
      const written: Written[] = [];
      await this.eachCr(group, (cr) => cr, errors, async (cr) => void written.push(await this.writeOne(cr, context)));
      await this.eachCr(written, (w) => w.cr, errors, (w) => this.reportSynced(w, secret));
    }
    return errors.length === 0 ? success : { kind: 'error', error: mostRetryable(errors) };
  }

  /**
   * The object's value: a CR-only reconcile reuses a recent read of the latest version (the CRs already synced have
   * that value, so a new one joins them); anything else reads Key Vault and records what it saw. Only reads made with
   * the agent's own identity are kept and reused: a CR that reads as its namespace's identity (tenancy) is always read
   * as that identity, so one tenant can never be handed a value another identity read.
   */
  private async read(key: string, ref: VaultObjectRef, version: string | undefined, full: boolean, store: VaultObjectStore): Promise<VaultObject> {
    const now = this.deps.clock.now();
    const own = store === this.deps.store;
    const cached = own && version === undefined && !full ? this.deps.latestReads?.fresh(key, now) : undefined;
    if (cached) return cached;
    const object = await store.read(ref, version);
    if (version === undefined) {
      // A CR-only reconcile that finds the object moved since the last read (a lost event) owes the other CRs a full one.
      const previous = this.deps.readStates.get(key);
      if (!full && previous !== undefined && previous.updatedOn !== object.updatedOn) this.deps.requests?.add(key);
      this.deps.readStates.record(key, { present: true, enabled: object.enabled, updatedOn: object.updatedOn });
      if (own) this.deps.latestReads?.record(key, object, now);
    }
    return object;
  }

  /** Runs a step for many CRs at once; a CR whose step fails gets the failure recorded and the others go on. */
  private eachCr<T>(items: readonly T[], crOf: (item: T) => AzureKeyVaultSecret, errors: unknown[], step: (item: T) => Promise<void>): Promise<void> {
    return forEachLimited(items, FAN_OUT_CONCURRENCY, async (item) => {
      try {
        await step(item);
      } catch (error) {
        errors.push(error);
        await this.failures.record([crOf(item)], error, errors);
      }
    });
  }

  /** Writes one CR's output and rolls the workloads owed a restart for it. */
  private async writeOne(cr: AzureKeyVaultSecret, ctx: WriteContext): Promise<Written> {
    const { secret } = ctx;
    const desired = computeDesiredOutput(cr, secret, { hashKey: this.deps.dataHashKey });
    const lifecycle = this.deps.lifecycle;
    if (desired.kind === 'None') {
      await lifecycle?.releasePrevious(cr, undefined);
      await lifecycle?.ensureFinalizer(cr, false);
      return { cr, output: undefined };
    }
    await lifecycle?.ensureFinalizer(cr, true);
    const io = {
      cluster: this.deps.cluster, lookup: (ref: OutputRef) => ctx.lookup.get(ref), beforeDataChange: () => ctx.restarter.prefetch(desired.namespace),
      ...(this.deps.servedGroups ? { servedGroups: this.deps.servedGroups(desired.namespace) } : {}),
    };
    const ownerReference = this.deps.outputOwnerReferences ?? false;
    const result = await writeOutput(io, cr, desired, { version: secret.version, labels: { [ctx.source]: 'true' }, ownerReference });
    const { namespace, name, kind } = desired;
    await lifecycle?.releasePrevious(cr, { kind, name });
    const { dataHash } = result;
    const outputId = `${kind}/${namespace}/${name}`;
    if (result.written) this.deps.metrics?.outputWrites.inc({ kind });
    if (result.dataChanged) {
      const latencyMs = ctx.eventTime === undefined ? undefined : Math.max(0, this.deps.clock.now() - ctx.eventTime);
      if (latencyMs !== undefined) this.deps.metrics?.syncLatency.observe(latencyMs / 1000);
      this.deps.logger.info({ namespace, name, kind, version: secret.version, dataHash, created: result.created }, 'output written');
      this.deps.events.emit('secret-written', { namespace, name, version: secret.version, dataHash, latencyMs });
      if (!result.created) this.pendingRestarts.set(outputId, { kind, namespace, name, dataHash, annotations: result.annotations });
    } else if (wroteButNotReported(cr, result, secret.version)) {
      // Another leader wrote this version's data and stopped before its status: the restarts may be owed still
      // (the workloads' annotation tells; one version never restarts a workload twice).
      this.pendingRestarts.set(outputId, { kind, namespace, name, dataHash, annotations: result.annotations });
    }
    const owed = this.pendingRestarts.get(outputId);
    if (owed?.dataHash === dataHash) await this.restart(outputId, owed, ctx.restarter);
    return { cr, output: { desired, result } };
  }

  /** Status (only when it changed) and a Normal Event when the output was written or first reported. */
  private async reportSynced({ cr, output }: Written, secret: VaultObject): Promise<void> {
    if (!output) {
      await this.status.write(cr, (latest, nowIso) => syncedStatus(latest, { version: secret.version, dataHash: undefined, output: undefined, dataChanged: false, expiresOn: secret.expiresOn, updatedOn: secret.updatedOn }, nowIso));
      return;
    }
    // The status holds the hash of this CR's own keys: on a Secret several CRs write, the whole-data hash moves with
    // the others' writes, which do not reconcile this CR.
    const { desired: { kind, name, dataHash }, result } = output;
    const statusChanged = await this.status.write(cr, (latest, nowIso) =>
      syncedStatus(latest, { version: secret.version, dataHash, dataHashKeyId: this.dataHashKeyId, output: { kind, name }, dataChanged: result.dataChanged, expiresOn: secret.expiresOn, updatedOn: secret.updatedOn }, nowIso),
    );
    if (result.dataChanged || (statusChanged && result.written)) {
      const verb = result.created ? 'created' : 'updated';
      await this.deps.cluster.recordEvent(cr, { type: 'Normal', reason: 'Synced', message: `${kind} ${name} ${verb} from Key Vault version ${secret.version}` });
    }
  }

  /** Restarts owed for an output; forgotten only once they succeeded (a failed patch is retried with the reconcile). */
  private async restart(outputId: string, owed: ChangedOutput, restarter: WorkloadRestarter): Promise<void> {
    const restarted = await restarter.restartFor(owed);
    if (this.pendingRestarts.get(outputId) === owed) this.pendingRestarts.delete(outputId);
    for (const w of restarted) {
      this.deps.metrics?.restarts.inc({ kind: w.kind });
      this.deps.logger.info({ workload: w, source: outputId, dataHash: owed.dataHash }, 'workload restarted');
      this.deps.events.emit('workload-restarted', { kind: w.kind, namespace: w.namespace, name: w.name });
    }
  }

  /** A CR whose spec cannot name a vault object: say why on its status. */
  private async reconcileUnkeyedCr(namespace: string, name: string): Promise<ReconcileResult> {
    const cr = this.deps.index.get(namespace, name);
    if (!cr) return success;
    const check = validateAkvsSpec(cr.spec);
    const error = new TerminalError('InvalidSpec', check.ok ? 'spec does not name a Key Vault object' : `invalid spec: ${check.errors.join('; ')}`);
    await this.failures.record([cr], error, []);
    return { kind: 'error', error };
  }
}

/** CRs of one vault object handled at the same time (each CR's own steps stay in order). */
export const FAN_OUT_CONCURRENCY = 32;

interface WriteContext {
  readonly secret: VaultObject;
  readonly eventTime: number | undefined;
  readonly restarter: WorkloadRestarter;
  readonly lookup: OutputLookup;
  /** The source label of this vault object (its key; value `true`). */
  readonly source: string;
}

/** A CR whose output is in place (`output` undefined when its spec writes none). */
interface Written {
  readonly cr: AzureKeyVaultSecret;
  readonly output: { readonly desired: DesiredWrite; readonly result: WriteResult } | undefined;
}

/** The output already holds `version` for this CR (its annotation says so) while the CR's status names another. */
function wroteButNotReported(cr: AzureKeyVaultSecret, result: WriteResult, version: string): boolean {
  const reported = cr.status?.syncedVersion;
  return !result.created && result.versionBefore === version && reported !== undefined && reported !== version;
}

function outputsOf(crs: readonly AzureKeyVaultSecret[]): { kind: OutputKind; namespace: string }[] {
  return outputRefsOf(crs).map(({ kind, namespace }) => ({ kind, namespace }));
}

function outputRefsOf(crs: readonly AzureKeyVaultSecret[]): OutputRef[] {
  return crs.flatMap((cr) => {
    const target = outputTargetOf(cr);
    return target ? [{ kind: target.kind, namespace: cr.metadata.namespace, name: target.name }] : [];
  });
}

function groupByVersion(crs: readonly AzureKeyVaultSecret[]): Map<string | undefined, AzureKeyVaultSecret[]> {
  const groups = new Map<string | undefined, AzureKeyVaultSecret[]>();
  for (const cr of crs) {
    const version = cr.spec.vault.object.version || undefined;
    const list = groups.get(version) ?? [];
    list.push(cr);
    groups.set(version, list);
  }
  return groups;
}
