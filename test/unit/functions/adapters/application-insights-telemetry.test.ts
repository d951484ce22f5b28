import { ApplicationInsightsTelemetry, createTelemetry, type MetricClient } from '../../../../functions/adapters/application-insights-telemetry.js';
import { noopTelemetry } from '../../../../functions/ports/telemetry.js';

class RecordingClient implements MetricClient {
  readonly metrics: { name: string; value: number; properties?: Record<string, string> }[] = [];
  readonly events: { name: string; properties?: Record<string, string> }[] = [];
  flushed = 0;
  trackMetric(metric: { name: string; value: number; properties?: Record<string, string> }): void {
    this.metrics.push(metric);
  }
  trackEvent(event: { name: string; properties?: Record<string, string> }): void {
    this.events.push(event);
  }
  flush(): Promise<void> {
    this.flushed++;
    return Promise.resolve();
  }
}

describe('ApplicationInsightsTelemetry', () => {
  it('sends counters and latency as custom metrics with their dimensions', async () => {
    const client = new RecordingClient();
    const telemetry = new ApplicationInsightsTelemetry(client);
    telemetry.count('delivered', 2, { cluster: 'alpha' });
    telemetry.count('invalid', 0);
    telemetry.deliveryLatency(41, { cluster: 'alpha' });
    await telemetry.flush();
    expect(client.metrics).toEqual([
      { name: 'akvsync.events.delivered', value: 2, properties: { cluster: 'alpha' } },
      { name: 'akvsync.delivery.latency_ms', value: 41, properties: { cluster: 'alpha' } },
    ]);
    expect(client.flushed).toBe(1);
  });

  it('sends alerts as custom events', () => {
    const client = new RecordingClient();
    new ApplicationInsightsTelemetry(client).alert('akvsync.delivery.poisoned', { cluster: 'alpha', code: 'PushHttp503' });
    expect(client.events).toEqual([{ name: 'akvsync.delivery.poisoned', properties: { cluster: 'alpha', code: 'PushHttp503' } }]);
  });
});

function recordingFactory(client: MetricClient) {
  const calls: string[] = [];
  const factory = (connectionString: string): Promise<MetricClient> => {
    calls.push(connectionString);
    return Promise.resolve(client);
  };
  return { calls, factory };
}

describe('createTelemetry', () => {
  it('is off, without creating any client, when no connection string is set', async () => {
    const { calls, factory } = recordingFactory(new RecordingClient());
    await expect(createTelemetry(undefined, factory)).resolves.toBe(noopTelemetry);
    expect(calls).toEqual([]);
  });

  it('creates a client for the connection string when one is set', async () => {
    const client = new RecordingClient();
    const { calls, factory } = recordingFactory(client);
    const telemetry = await createTelemetry('InstrumentationKey=00000000-0000-0000-0000-000000000000', factory);
    telemetry.count('received', 1);
    expect(calls).toEqual(['InstrumentationKey=00000000-0000-0000-0000-000000000000']);
    expect(client.metrics).toHaveLength(1);
  });
});
