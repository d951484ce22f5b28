import type { AkvsStatus, AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ClusterApi } from '../ports/cluster-api.js';
import type { AkvsIndex } from './akvs-index.js';
import { statusChanged } from './akvs-status.js';

/** Writes a CR's status through the status subresource only when something in it changed. */
export class StatusWriter {
  constructor(
    private readonly cluster: ClusterApi,
    private readonly index: AkvsIndex,
    private readonly clock: Clock,
  ) {}

  /** Returns true when a write was sent. */
  async write(cr: AzureKeyVaultSecret, compute: (latest: AzureKeyVaultSecret, nowIso: string) => AkvsStatus): Promise<boolean> {
    const current = this.index.get(cr.metadata.namespace, cr.metadata.name);
    const base = current && current.metadata.uid === cr.metadata.uid ? current : cr;
    const next = compute(base, new Date(this.clock.now()).toISOString());
    if (!statusChanged(base.status, next)) return false;
    await this.cluster.patchStatus(base, next);
    const key = this.index.keyOf(cr.metadata.namespace, cr.metadata.name);
    if (key !== undefined && current?.metadata.uid === cr.metadata.uid) this.index.upsert({ ...current, status: next }, key);
    return true;
  }
}
