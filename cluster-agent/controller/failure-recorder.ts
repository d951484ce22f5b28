import type { Logger } from 'pino';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { AgentEvents } from '../agent-events.js';
import type { AgentMetrics } from '../metrics.js';
import type { ClusterApi } from '../ports/cluster-api.js';
import { failedStatus } from './akvs-status.js';
import { describeFailure } from '../error-policy.js';
import type { StatusWriter } from './status-writer.js';

/**
 * THE place a failure becomes visible on a CR: Synced=False with the error's code (Ready kept while the last value is
 * in place), a Warning Event when the status changed, a metric, an agent event and a log line (codes and our own
 * messages only, never a library's text).
 */
export class FailureRecorder {
  constructor(
    private readonly deps: {
      readonly cluster: ClusterApi;
      readonly status: StatusWriter;
      readonly events: AgentEvents;
      readonly logger: Logger;
      readonly metrics?: AgentMetrics | undefined;
    },
  ) {}

  /** Records `error` on each CR; a failure to record it is added to `errors` (so the reconcile is retried). */
  async record(crs: readonly AzureKeyVaultSecret[], error: unknown, errors: unknown[]): Promise<void> {
    const failure = describeFailure(error);
    this.deps.metrics?.reconcileErrors.inc({ code: failure.code }, crs.length);
    this.deps.events.emit('sync-failed', { code: failure.code });
    for (const cr of crs) {
      const { namespace, name } = cr.metadata;
      this.deps.logger.warn({ namespace, name, code: failure.code, kind: failure.kind, err: failure.message }, 'sync failed');
      try {
        if (await this.deps.status.write(cr, (latest, nowIso) => failedStatus(latest, failure, nowIso))) {
          await this.deps.cluster.recordEvent(cr, { type: 'Warning', reason: failure.code, message: failure.message });
        }
      } catch (statusError) {
        errors.push(statusError);
        this.deps.logger.warn({ namespace, name, code: describeFailure(statusError).code }, 'could not record failure on status');
      }
    }
  }
}
