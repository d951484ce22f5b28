import type { Logger } from 'pino';
import { AKVS_CONDITION_TYPES } from '../../core/crd/azure-key-vault-secret.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { VaultObjectRef, VaultObjectStore } from '../../core/ports/vault-object-store.js';
import { describeFailure } from '../error-policy.js';
import type { AkvsIndex } from './akvs-index.js';
import { parseKey } from './object-key.js';
import type { ReadStates } from './read-state.js';
import { listVault } from './vault-listing.js';

interface Enqueue {
  add(key: string): void;
  addCr(key: string, crId: string): void;
}

export interface CatchUpOptions {
  readonly store: VaultObjectStore;
  readonly index: AkvsIndex;
  /** Where requests go once released (ReconcileRequests). */
  readonly queue: Enqueue;
  readonly readStates: ReadStates;
  readonly logger: Logger;
  /** Fingerprint of the data-hash key in use (`dataHashKeyId`): a status hashed with another key is not current. */
  readonly dataHashKeyId: string;
  /** The CRs the access policy lets read (tenancy); default: all. A refused CR is queued, so it is told why. */
  readonly permitted?: (crs: readonly AzureKeyVaultSecret[]) => Promise<AzureKeyVaultSecret[]>;
}

export interface CatchUpReport {
  readonly vaultsListed: number;
  readonly vaultsFailed: number;
  /** Vault objects queued for a full reconcile because the listing shows another `updated` time (one read each). */
  readonly moved: readonly string[];
  /** CRs queued on their own: never synced, spec changed, last sync failed, or their vault could not be listed. */
  readonly crsQueued: number;
  /** Vault objects whose every CR is current: nothing read. */
  readonly current: number;
}

type Held = Set<string> | 'full';

/**
 * The catch-up of a replica that starts leading (a failover, or a cold start): while the CR informers do their first
 * list, what they would enqueue is held here; then ONE properties listing per vault (per listing its object types
 * need) is compared with what each CR's status records (`syncedUpdatedTime`, the Key Vault `updated` time of the
 * synced version), and only what differs is queued: an object whose listing shows another time (or is gone or
 * disabled) gets a full reconcile (one read for all its CRs); a CR that is not current by its own status (never
 * synced, spec changed since, last sync failed, a pinned version not yet written) is queued on its own (the CR fast
 * path; so is one whose data hash was made with another data-hash key, so a key change still rewrites every output).
 * Everything else costs no read: the work the old leader finished is not redone. Objects found current are
 * recorded as read, so the fallback check compares against them too. After `release` requests pass straight through.
 *
 * Limit (Key Vault's, as for the fallback check): `updated` has one-second resolution, so a second version created in
 * the same second as the synced one looks alike; its notification is what brings it.
 */
export class CatchUp implements Enqueue {
  private held: Map<string, Held> | undefined;

  constructor(private readonly options: CatchUpOptions) {}

  /** From now until `release`, requests are held (called before the informers start). */
  hold(): void {
    this.held ??= new Map();
  }

  add(key: string): void {
    if (this.held) this.held.set(key, 'full');
    else this.options.queue.add(key);
  }

  addCr(key: string, crId: string): void {
    if (!this.held) return this.options.queue.addCr(key, crId);
    const current = this.held.get(key);
    if (current === 'full') return;
    this.held.set(key, (current ?? new Set()).add(crId));
  }

  /** Lists, compares, queues what moved; from then on requests pass straight through. */
  async release(): Promise<CatchUpReport> {
    const held = this.held ?? new Map<string, Held>();
    this.held = undefined;
    const { queue, index, logger } = this.options;
    let crsQueued = 0;
    const queueCrs = (key: string, crs: readonly AzureKeyVaultSecret[]): void => {
      for (const cr of crs) queue.addCr(key, `${cr.metadata.namespace}/${cr.metadata.name}`);
      crsQueued += crs.length;
    };
    // Vault → the objects whose CRs are all current by their status: only these need the listing.
    const candidates = new Map<string, { key: string; ref: VaultObjectRef; crs: AzureKeyVaultSecret[] }[]>();
    for (const [key, requested] of held) {
      const parsed = parseKey(key);
      if (requested === 'full' || parsed?.kind !== 'object') {
        queue.add(key);
        continue;
      }
      const crs = [...requested].map((id) => crOf(index, id)).filter((cr): cr is AzureKeyVaultSecret => cr !== undefined);
      const allowed = new Set(await this.permitted(crs));
      const stale = crs.filter((cr) => !allowed.has(cr) || !isCurrent(cr, this.options.dataHashKeyId));
      queueCrs(key, stale);
      const latest = crs.filter((cr) => !stale.includes(cr) && !cr.spec.vault.object.version);
      if (latest.length > 0) candidates.set(parsed.ref.vault, [...(candidates.get(parsed.ref.vault) ?? []), { key, ref: parsed.ref, crs: latest }]);
    }
    const moved: string[] = [];
    let listed = 0;
    let failed = 0;
    let current = 0;
    for (const [vault, objects] of candidates) {
      let listing;
      try {
        listing = await listVault(this.options.store, vault, objects.map((o) => o.ref));
        listed++;
      } catch (error) {
        failed++;
        logger.warn({ vault, code: describeFailure(error).code }, 'catch-up could not list vault; its CRs are read one object at a time');
        for (const o of objects) queueCrs(o.key, o.crs);
        continue;
      }
      for (const o of objects) {
        const now = listing.propertiesOf(o.ref);
        if (now === 'unlisted') {
          queueCrs(o.key, o.crs);
        } else if (now?.enabled === true && this.options.readStates.get(o.key)?.updatedOn === now.updatedOn) {
          current++; // read already since this replica leads (a parked notification got there first)
        } else if (now === undefined || !now.enabled || o.crs.some((cr) => recordedUpdatedOn(cr) !== now.updatedOn)) {
          moved.push(o.key);
          queue.add(o.key);
        } else {
          current++;
          this.options.readStates.record(o.key, { present: true, enabled: true, updatedOn: now.updatedOn });
        }
      }
    }
    const report = { vaultsListed: listed, vaultsFailed: failed, moved, crsQueued, current };
    logger.info({ ...report, moved: moved.length }, 'catch-up done');
    return report;
  }

  /** The CRs the access policy lets read; none when it cannot be evaluated now (they are queued and judged there). */
  private async permitted(crs: AzureKeyVaultSecret[]): Promise<AzureKeyVaultSecret[]> {
    try {
      return this.options.permitted ? await this.options.permitted(crs) : crs;
    } catch {
      return [];
    }
  }
}

/** Synced for its current spec, by its own status; a CR that follows the latest version also knows the `updated` time. */
function isCurrent(cr: AzureKeyVaultSecret, keyId: string): boolean {
  const status = cr.status;
  if (status?.syncedVersion === undefined || status.observedGeneration !== cr.metadata.generation) return false;
  if (status.dataHash !== undefined && status.dataHashKeyId !== keyId) return false;
  if (!status.conditions?.some((c) => c.type === AKVS_CONDITION_TYPES.synced && c.status === 'True')) return false;
  const pinned = cr.spec.vault.object.version;
  return pinned ? status.syncedVersion === pinned : recordedUpdatedOn(cr) !== undefined;
}

function recordedUpdatedOn(cr: AzureKeyVaultSecret): number | undefined {
  const recorded = cr.status?.syncedUpdatedTime;
  const ms = recorded === undefined ? NaN : Date.parse(recorded);
  return Number.isNaN(ms) ? undefined : ms;
}

function crOf(index: AkvsIndex, id: string): AzureKeyVaultSecret | undefined {
  const slash = id.indexOf('/');
  return index.get(id.slice(0, slash), id.slice(slash + 1));
}
