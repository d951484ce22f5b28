import type { AlertEvent, EventCounter, Telemetry, TelemetryDimensions } from '../../../../functions/ports/telemetry.js';

export interface TelemetryItem {
  readonly name: EventCounter | 'deliveryLatency';
  readonly value: number;
  readonly dimensions: TelemetryDimensions;
}

/** Captures telemetry items so tests can total counters and search everything that was recorded. */
export class InMemoryTelemetry implements Telemetry {
  readonly items: TelemetryItem[] = [];
  readonly alerts: { name: AlertEvent; dimensions: TelemetryDimensions }[] = [];
  flushes = 0;

  count(counter: EventCounter, amount: number, dimensions: TelemetryDimensions = {}): void {
    this.items.push({ name: counter, value: amount, dimensions });
  }

  deliveryLatency(milliseconds: number, dimensions: TelemetryDimensions = {}): void {
    this.items.push({ name: 'deliveryLatency', value: milliseconds, dimensions });
  }

  alert(name: AlertEvent, dimensions: TelemetryDimensions): void {
    this.alerts.push({ name, dimensions });
  }

  flush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }

  total(name: TelemetryItem['name']): number {
    return this.items.filter((i) => i.name === name).reduce((sum, i) => sum + i.value, 0);
  }
}
