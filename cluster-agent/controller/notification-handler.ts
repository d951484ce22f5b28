import type { Logger } from 'pino';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { keyVaultEventType } from '../../core/events/key-vault-event-types.js';
import type { Notification } from '../../core/notification/notification.js';
import type { Clock } from '../../core/ports/clock.js';
import type { AgentMetrics } from '../metrics.js';
import type { ClusterApi } from '../ports/cluster-api.js';
import type { AkvsIndex } from './akvs-index.js';
import { expiringStatus } from './akvs-status.js';
import { vaultObjectTypeOfNotification } from '../../core/sync/object-types.js';
import { objectKey } from './object-key.js';
import type { StatusWriter } from './status-writer.js';
import type { SyncHints } from './sync-hints.js';

interface Enqueue {
  add(key: string): void;
}

export interface NotificationHandlerDeps {
  readonly index: AkvsIndex;
  readonly queue: Enqueue;
  readonly hints: SyncHints;
  readonly cluster: ClusterApi;
  readonly status: StatusWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics | undefined;
  /** Tenancy: the CRs the access policy lets use the object (default: all); only they hear of its expiry. */
  readonly permitted?: (crs: readonly AzureKeyVaultSecret[]) => Promise<AzureKeyVaultSecret[]>;
}

/**
 * A verified notification is a hint: NewVersionCreated puts the vault object on the work queue (reconcile reads the
 * latest version anyway, so a late or out-of-order event cannot roll anything back). NearExpiry/Expired sync nothing:
 * they become a Warning Event, an Expiring condition and a metric on every CR that holds that version (status
 * `syncedVersion`; an event about another version is ignored) and that the access policy lets use it (a forbidden CR
 * must not learn that the object exists). The condition clears when a new version syncs (akvs-status.ts).
 * Returns whether any CR references the object.
 */
export async function handleNotification(n: Notification, deps: NotificationHandlerDeps): Promise<boolean> {
  const key = objectKey({ vault: n.vault, objectType: vaultObjectTypeOfNotification(n.objectType), name: n.objectName });
  const crs = deps.index.crsFor(key);
  if (crs.length === 0) return false;
  const kind = keyVaultEventType(n.eventType)?.kind ?? 'NewVersionCreated';
  if (kind === 'NewVersionCreated') {
    deps.hints.record(key, Date.parse(n.eventTime));
    deps.queue.add(key);
    return true;
  }
  // Only the CRs that hold that version hear of its expiry: a warning about an older (or not yet synced) version is
  // about nothing in the cluster.
  const holding = crs.filter((cr) => cr.status?.syncedVersion === n.version);
  if (holding.length === 0) {
    deps.logger.debug({ vault: n.vault, object: n.objectName, version: n.version, kind }, 'expiry event for a version no CR holds; ignored');
    return true;
  }
  const told = deps.permitted ? await deps.permitted(holding) : holding;
  deps.metrics?.expiryWarnings.inc({ kind }, told.length);
  const message = kind === 'Expired'
    ? `Key Vault ${n.objectType.toLowerCase()} ${n.vault}/${n.objectName} version ${n.version} has expired`
    : `Key Vault ${n.objectType.toLowerCase()} ${n.vault}/${n.objectName} version ${n.version} expires soon`;
  for (const cr of told) {
    deps.logger.warn({ namespace: cr.metadata.namespace, name: cr.metadata.name, vault: n.vault, object: n.objectName, version: n.version, kind }, 'Key Vault object expiring');
    if (await deps.status.write(cr, (latest, nowIso) => expiringStatus(latest, kind, message, nowIso))) {
      await deps.cluster.recordEvent(cr, { type: 'Warning', reason: kind, message });
    }
  }
  return true;
}
