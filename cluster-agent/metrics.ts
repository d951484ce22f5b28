import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The agent's Prometheus metrics, on a registry of its own (several agents can run in one test process). */
export class AgentMetrics {
  readonly registry = new Registry();
  /** Seconds from the Key Vault event time to the output written. */
  readonly syncLatency = new Histogram({
    name: 'akvsync_sync_latency_seconds',
    help: 'Time from the Key Vault event to the Secret/ConfigMap written',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly keyVaultRequests = new Counter({
    name: 'akvsync_keyvault_requests_total',
    help: 'Key Vault HTTP requests by vault, operation and status code',
    labelNames: ['vault', 'operation', 'status'] as const,
    registers: [this.registry],
  });
  readonly outputWrites = new Counter({
    name: 'akvsync_output_writes_total',
    help: 'Secrets/ConfigMaps written (server-side apply sent)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly restarts = new Counter({
    name: 'akvsync_workload_restarts_total',
    help: 'Rolling restarts triggered by a data change',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'akvsync_notifications_total',
    help: 'Notifications received by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'akvsync_reconcile_errors_total',
    help: 'Reconcile failures by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly fallbackChecks = new Counter({
    name: 'akvsync_fallback_checks_total',
    help: 'Fallback checks by outcome, and objects they found moved',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly expiryWarnings = new Counter({
    name: 'akvsync_expiry_warnings_total',
    help: 'NearExpiry/Expired events surfaced',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  /** Managed outputs found edited or deleted by hand: `outcome` repaired (queued at once) or delayed (rate limit). */
  readonly outputDrift = new Counter({
    name: 'akvsync_output_drift_total',
    help: 'Managed Secrets/ConfigMaps found edited or deleted by hand, by change and outcome',
    labelNames: ['change', 'outcome'] as const,
    registers: [this.registry],
  });
  /** The env-injection webhook: admissions by outcome (mutated, unchanged, failed-open, denied, error, bad-request). */
  readonly admissions = new Counter({
    name: 'akvsync_webhook_admissions_total',
    help: 'Admission requests answered by the env-injection webhook, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly admissionDuration = new Histogram({
    name: 'akvsync_webhook_admission_duration_seconds',
    help: 'Time from an admission request received to its answer sent, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth: Gauge;

  constructor(queueDepth: () => number, options: { defaultMetrics?: boolean } = {}) {
    this.queueDepth = new Gauge({
      name: 'akvsync_queue_depth',
      help: 'Keys waiting in the work queue (including delayed retries)',
      registers: [this.registry],
      collect() {
        this.set(queueDepth());
      },
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'akvsync_' });
  }
}
