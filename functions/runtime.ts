/**
 * The composition root of the Function app: configuration parsed once from the app settings, the routing table
 * compiled once from it, the signer (per-cluster keys, signing per attempt) and the adapters behind the routing
 * service's ports (push sink, in-memory dedupe store, wall clock, telemetry).
 */
import type { Clock } from '../core/ports/clock.js';
import { NotificationSigner } from '../core/notification/notification-signer.js';
import { RoutingTable } from '../core/routing/routing-table.js';
import { createTelemetry } from './adapters/application-insights-telemetry.js';
import { HttpsNotificationSink } from './adapters/https-notification-sink.js';
import { InMemoryDedupeStore } from './adapters/in-memory-dedupe-store.js';
import { systemClock } from './adapters/system-clock.js';
import { parseFunctionsConfig, type FunctionsConfig } from './config.js';
import type { Telemetry } from './ports/telemetry.js';
import type { RouteDependencies } from './route-key-vault-events.js';

export interface FunctionRuntime {
  readonly config: FunctionsConfig;
  /** Everything the routing service needs but the per-invocation logger. */
  readonly routing: Omit<RouteDependencies, 'log'>;
  /** Flushes telemetry and closes idle connections. */
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  readonly clock?: Clock;
  readonly telemetry?: Telemetry;
}

export async function createFunctionRuntime(config: FunctionsConfig, overrides: RuntimeOverrides = {}): Promise<FunctionRuntime> {
  const clock = overrides.clock ?? systemClock;
  const telemetry = overrides.telemetry ?? (await createTelemetry(config.applicationInsightsConnectionString));
  const sink = new HttpsNotificationSink({ targets: config.clusters, timeoutMs: config.pushTimeoutMs });
  const keys = new Map(config.clusters.map((c) => [c.name, c.signingKey]));
  const signer = new NotificationSigner((cluster) => keys.get(cluster), clock);
  return {
    config,
    routing: { clusters: new RoutingTable(config.clusters), signer, sink, dedupe: new InMemoryDedupeStore({ clock }), clock, telemetry },
    async close() {
      sink.close();
      await telemetry.flush();
    },
  };
}

let processRuntime: Promise<FunctionRuntime> | undefined;

/** The runtime built from this process's app settings, once. */
export function functionRuntime(): Promise<FunctionRuntime> {
  processRuntime ??= Promise.resolve().then(() => createFunctionRuntime(parseFunctionsConfig(process.env)));
  return processRuntime;
}
