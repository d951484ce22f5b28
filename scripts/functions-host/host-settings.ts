/**
 * The `host.json` settings the local host honours: the queue trigger's `extensions.queues` (defaults as documented
 * for the Storage extension 5.x: batchSize 16, maxDequeueCount 5, visibilityTimeout 0, maxPollingInterval 1 min,
 * messageEncoding base64). TimeSpans are `hh:mm:ss[.fff]`.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface QueueSettings {
  readonly batchSize: number;
  readonly maxDequeueCount: number;
  /** How long a failed message stays invisible before it is tried again. */
  readonly visibilityTimeoutMs: number;
  readonly maxPollingIntervalMs: number;
  readonly messageEncoding: 'base64' | 'none';
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = Object.freeze({
  batchSize: 16,
  maxDequeueCount: 5,
  visibilityTimeoutMs: 0,
  maxPollingIntervalMs: 60_000,
  messageEncoding: 'base64',
});

export function readQueueSettings(hostJsonPath: string): QueueSettings {
  if (!existsSync(hostJsonPath)) return DEFAULT_QUEUE_SETTINGS;
  const hostJson = JSON.parse(readFileSync(hostJsonPath, 'utf8')) as { extensions?: { queues?: Record<string, unknown> } };
  return queueSettingsFrom(hostJson.extensions?.queues ?? {});
}

export function queueSettingsFrom(q: Readonly<Record<string, unknown>>): QueueSettings {
  const d = DEFAULT_QUEUE_SETTINGS;
  const int = (v: unknown, fallback: number, min: number, max: number): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
  const encoding = typeof q.messageEncoding === 'string' ? q.messageEncoding.toLowerCase() : d.messageEncoding;
  return Object.freeze({
    batchSize: int(q.batchSize, d.batchSize, 1, 32),
    maxDequeueCount: int(q.maxDequeueCount, d.maxDequeueCount, 1, 1000),
    visibilityTimeoutMs: timeSpanMs(q.visibilityTimeout) ?? d.visibilityTimeoutMs,
    maxPollingIntervalMs: timeSpanMs(q.maxPollingInterval) ?? d.maxPollingIntervalMs,
    messageEncoding: encoding === 'none' ? 'none' : 'base64',
  });
}

/** `hh:mm:ss[.fff]` → milliseconds, or undefined. */
export function timeSpanMs(value: unknown): number | undefined {
  const m = typeof value === 'string' ? /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(value.trim()) : null;
  if (!m) return undefined;
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number((m[4] ?? '0').padEnd(3, '0'));
}
