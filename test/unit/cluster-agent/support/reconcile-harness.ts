import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { createAgentEvents } from '../../../../cluster-agent/agent-events.js';
import type { AgentEventMap } from '../../../../cluster-agent/agent-events.js';
import { AkvsIndex } from '../../../../cluster-agent/controller/akvs-index.js';
import { AkvsWatchHandler } from '../../../../cluster-agent/controller/akvs-watch-handler.js';
import { forgetUnreferenced } from '../../../../cluster-agent/controller/forget-unreferenced.js';
import { OutputLifecycle } from '../../../../cluster-agent/controller/output-lifecycle.js';
import { LatestReads } from '../../../../cluster-agent/controller/latest-reads.js';
import { ReadStates } from '../../../../cluster-agent/controller/read-state.js';
import { ReconcileRequests } from '../../../../cluster-agent/controller/reconcile-requests.js';
import { Reconciler } from '../../../../cluster-agent/controller/reconcile.js';
import { SyncHints } from '../../../../cluster-agent/controller/sync-hints.js';
import { createLogger } from '../../../../cluster-agent/logger.js';
import type { AccessGate } from '../../../../cluster-agent/tenancy/access-gate.js';
import { InMemoryClusterApi } from './in-memory-cluster-api.js';
import { InMemoryVaultObjectStore } from './in-memory-vault-object-store.js';
import { ManualScheduler } from './manual-scheduler.js';

/** Reconciler wired to in-memory fakes, with every log line, agent event and enqueued key captured. */
export function reconcileHarness(options: {
  honourReloaderAnnotations?: boolean;
  access?: (store: InMemoryVaultObjectStore) => AccessGate;
  /** Owner references on outputs (default true here, as the suites written before the lifecycle expect them). */
  ownerReferences?: boolean;
  /** Wire the output lifecycle (finalizer, rename clean-up). */
  lifecycle?: boolean;
  servedGroups?: (namespace: string) => readonly string[];
} = {}) {
  const clock = new ManualScheduler();
  const store = new InMemoryVaultObjectStore();
  const hashKey = new Uint8Array(32).fill(7);
  const cluster = new InMemoryClusterApi(hashKey);
  const index = new AkvsIndex();
  const hints = new SyncHints();
  const readStates = new ReadStates();
  const events = createAgentEvents();
  const emitted: { name: keyof AgentEventMap; payload: unknown }[] = [];
  for (const name of ['notification-verified', 'secret-written', 'workload-restarted', 'sync-failed'] as const) {
    events.on(name, (payload: unknown) => emitted.push({ name, payload }));
  }
  const logLines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logLines.push(line) });
  const enqueued: string[] = [];
  const requests = new ReconcileRequests({ add: (key) => void enqueued.push(key) });
  const latestReads = new LatestReads();
  const lifecycle = options.lifecycle ? new OutputLifecycle({ cluster, index, queue: requests, logger }) : undefined;
  const watch = new AkvsWatchHandler(index, requests, forgetUnreferenced({ index, readStates, store, latestReads }), lifecycle);
  const reconciler = new Reconciler({
    index, store, cluster, clock, hints, readStates, events, logger, requests, latestReads,
    honourReloaderAnnotations: options.honourReloaderAnnotations ?? true,
    dataHashKey: hashKey,
    lifecycle,
    outputOwnerReferences: options.ownerReferences ?? true,
    ...(options.access ? { access: options.access(store) } : {}),
    ...(options.servedGroups ? { servedGroups: options.servedGroups } : {}),
  });
  return {
    hashKey, clock, store, cluster, index, hints, readStates, events, emitted, logLines, logger, enqueued, watch, reconciler, requests, latestReads,
    /** Adds CRs through the informer handler; returns the keys they were enqueued under. */
    add(...crs: AzureKeyVaultSecret[]): string[] {
      const before = enqueued.length;
      for (const cr of crs) watch.upsert(cr);
      return [...new Set(enqueued.slice(before))];
    },
    /** Everything the agent let out: log lines, Events, statuses, agent events, and output metadata. */
    everythingVisible(): string {
      return JSON.stringify({
        logLines,
        events: cluster.events,
        statuses: [...cluster.statuses.values()],
        emitted,
        outputs: [...cluster.outputs.values()].map((o) => ({ labels: o.labels, annotations: o.annotations })),
      });
    },
  };
}
