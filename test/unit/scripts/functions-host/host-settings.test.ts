import { DEFAULT_QUEUE_SETTINGS, queueSettingsFrom, timeSpanMs } from '../../../../scripts/functions-host/host-settings.js';

describe('host.json queue settings', () => {
  it('defaults as the Storage extension documents them', () => {
    expect(queueSettingsFrom({})).toEqual({ batchSize: 16, maxDequeueCount: 5, visibilityTimeoutMs: 0, maxPollingIntervalMs: 60_000, messageEncoding: 'base64' });
    expect(DEFAULT_QUEUE_SETTINGS.maxDequeueCount).toBe(5);
  });

  it('reads TimeSpans, counts and the encoding, and ignores values out of range', () => {
    expect(queueSettingsFrom({ batchSize: 4, maxDequeueCount: 3, visibilityTimeout: '00:00:30', maxPollingInterval: '00:00:02.5', messageEncoding: 'None' })).toEqual({
      batchSize: 4, maxDequeueCount: 3, visibilityTimeoutMs: 30_000, maxPollingIntervalMs: 2_500, messageEncoding: 'none',
    });
    expect(queueSettingsFrom({ batchSize: 64, maxDequeueCount: 0 })).toMatchObject({ batchSize: 16, maxDequeueCount: 5 });
  });

  it.each([['01:02:03', 3_723_000], ['00:00:00.05', 50], ['1 minute', undefined], [30, undefined]])('timeSpanMs(%p) = %p', (input, ms) => {
    expect(timeSpanMs(input)).toBe(ms);
  });
});
