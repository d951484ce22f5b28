/**
 * Counters and the delivery latency of the Function. Adapters: ApplicationInsightsTelemetry (when a connection
 * string is configured) and noopTelemetry (otherwise: nothing is collected or sent). Dimensions carry names,
 * codes and reasons only: never key material or anything else secret.
 */
export type EventCounter = 'received' | 'ignored' | 'invalid' | 'delivered' | 'failed' | 'duplicate' | 'retryQueued' | 'poisoned';

/**
 * Custom events an operator alerts on: `akvsync.delivery.poisoned` (a notification gave up: retry budget spent or
 * refused for good) and `akvsync.delivery.operatorAction` (a push refused until the agent's keyring or a clock is fixed).
 */
export type AlertEvent = 'akvsync.delivery.poisoned' | 'akvsync.delivery.operatorAction';

export type TelemetryDimensions = Readonly<Record<string, string>>;

export interface Telemetry {
  count(counter: EventCounter, amount: number, dimensions?: TelemetryDimensions): void;
  /** Milliseconds from the event's time to the cluster's acceptance of the notification. */
  deliveryLatency(milliseconds: number, dimensions?: TelemetryDimensions): void;
  /** An Application Insights custom event (alerts are set on these). */
  alert(name: AlertEvent, dimensions: TelemetryDimensions): void;
  /** Sends what is buffered; resolves when done. */
  flush(): Promise<void>;
}

export const noopTelemetry: Telemetry = Object.freeze({
  count: () => undefined,
  deliveryLatency: () => undefined,
  alert: () => undefined,
  flush: () => Promise.resolve(),
});
