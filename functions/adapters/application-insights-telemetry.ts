/**
 * Telemetry through the `applicationinsights` package (v3, OpenTelemetry underneath): each counter and the
 * delivery latency become custom metrics `akvsync.events.<counter>` and `akvsync.delivery.latency_ms`; alerts become
 * custom events (`akvsync.delivery.poisoned`, `akvsync.delivery.operatorAction`). With no
 * connection string the package is not even loaded: nothing is collected and no network call is made.
 */
import type { AlertEvent, EventCounter, Telemetry, TelemetryDimensions } from '../ports/telemetry.js';
import { noopTelemetry } from '../ports/telemetry.js';

/** The part of applicationinsights' TelemetryClient this adapter uses. */
export interface MetricClient {
  trackMetric(metric: { name: string; value: number; properties?: { [key: string]: string } }): void;
  trackEvent(event: { name: string; properties?: { [key: string]: string } }): void;
  flush(): Promise<void>;
}

export type MetricClientFactory = (connectionString: string) => Promise<MetricClient>;

export class ApplicationInsightsTelemetry implements Telemetry {
  readonly #client: MetricClient;

  constructor(client: MetricClient) {
    this.#client = client;
  }

  count(counter: EventCounter, amount: number, dimensions?: TelemetryDimensions): void {
    if (amount > 0) this.#client.trackMetric({ name: `akvsync.events.${counter}`, value: amount, properties: { ...dimensions } });
  }

  deliveryLatency(milliseconds: number, dimensions?: TelemetryDimensions): void {
    this.#client.trackMetric({ name: 'akvsync.delivery.latency_ms', value: milliseconds, properties: { ...dimensions } });
  }

  alert(name: AlertEvent, dimensions: TelemetryDimensions): void {
    this.#client.trackEvent({ name, properties: { ...dimensions } });
  }

  flush(): Promise<void> {
    return this.#client.flush();
  }
}

/** An isolated TelemetryClient (its own providers: it does not instrument the rest of the process). */
const applicationInsightsClient: MetricClientFactory = async (connectionString) => {
  const { TelemetryClient } = await import('applicationinsights');
  return new TelemetryClient(connectionString, { useGlobalProviders: false });
};

export async function createTelemetry(
  connectionString: string | undefined,
  createClient: MetricClientFactory = applicationInsightsClient,
): Promise<Telemetry> {
  if (connectionString === undefined) return noopTelemetry;
  return new ApplicationInsightsTelemetry(await createClient(connectionString));
}
