/**
 * Queue mode settings of the agent (a private cluster drains its own Storage Queue instead of, or beside, the
 * HTTPS notify endpoint):
 *   AKVSYNC_QUEUE_NAME                   the cluster's queue (the Function's `queueName`); setting it turns queue mode on
 *   AKVSYNC_QUEUE_SERVICE_URL            https://<account>.queue.core.windows.net, read with the agent's Azure
 *                                        identity (workload identity in AKS: role Storage Queue Data Message Processor)
 *   AKVSYNC_QUEUE_CONNECTION_STRING      instead of the URL: a connection string (Azurite, development); never logged
 *   AKVSYNC_QUEUE_VISIBILITY_TIMEOUT     seconds a received message stays invisible, default 30
 *   AKVSYNC_QUEUE_MAX_DEQUEUE_COUNT      receptions before a message that is not accepted moves to `<queue>-poison`, default 5
 *   AKVSYNC_QUEUE_MAX_POLL_INTERVAL      longest wait between polls of an empty queue, default 5s
 *   AKVSYNC_POD_NAME                     the agent's Pod (downward API), which poison Warning Events are about
 */
import { ConfigError, parseDuration, parseInteger, parseUrl } from '../config-values.js';

export interface QueueIntakeConfig {
  readonly queueName: string;
  readonly serviceUrl: string | undefined;
  /** Non-enumerable: never printed with the configuration. */
  readonly connectionString: string | undefined;
  readonly visibilityTimeoutSeconds: number;
  readonly maxDequeueCount: number;
  readonly maxPollIntervalMs: number;
  readonly podName: string | undefined;
}

const QUEUE_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export function parseQueueIntakeConfig(get: (name: string) => string | undefined): QueueIntakeConfig | undefined {
  const queueName = get('AKVSYNC_QUEUE_NAME');
  if (queueName === undefined) return undefined;
  if (!QUEUE_NAME.test(queueName)) throw new ConfigError('AKVSYNC_QUEUE_NAME', 'must be a Storage Queue name (3–63 of a-z, 0-9 and single hyphens)');
  const url = get('AKVSYNC_QUEUE_SERVICE_URL');
  const connectionString = get('AKVSYNC_QUEUE_CONNECTION_STRING');
  if ((url === undefined) === (connectionString === undefined)) {
    throw new ConfigError('AKVSYNC_QUEUE_SERVICE_URL', 'set exactly one of AKVSYNC_QUEUE_SERVICE_URL (Azure identity) and AKVSYNC_QUEUE_CONNECTION_STRING (Azurite)');
  }
  if (connectionString !== undefined && !/(^|;)\s*(AccountName|QueueEndpoint)\s*=/i.test(connectionString)) {
    throw new ConfigError('AKVSYNC_QUEUE_CONNECTION_STRING', 'is not a Storage connection string (no AccountName= or QueueEndpoint=)');
  }
  const config = {
    queueName,
    serviceUrl: url === undefined ? undefined : parseUrl('AKVSYNC_QUEUE_SERVICE_URL', url, ['https:']).replace(/\/+$/, ''),
    visibilityTimeoutSeconds: parseInteger('AKVSYNC_QUEUE_VISIBILITY_TIMEOUT', get('AKVSYNC_QUEUE_VISIBILITY_TIMEOUT'), 30, 1, 3600),
    maxDequeueCount: parseInteger('AKVSYNC_QUEUE_MAX_DEQUEUE_COUNT', get('AKVSYNC_QUEUE_MAX_DEQUEUE_COUNT'), 5, 1, 100),
    maxPollIntervalMs: parseDuration('AKVSYNC_QUEUE_MAX_POLL_INTERVAL', get('AKVSYNC_QUEUE_MAX_POLL_INTERVAL'), 5000, 100),
    podName: get('AKVSYNC_POD_NAME'),
  };
  Object.defineProperty(config, 'connectionString', { value: connectionString, enumerable: false });
  return config as QueueIntakeConfig;
}
