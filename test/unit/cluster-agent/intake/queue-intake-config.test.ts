import { inspect } from 'node:util';
import { parseQueueIntakeConfig } from '../../../../cluster-agent/intake/queue-intake-config.js';

const getter = (env: Record<string, string>) => (name: string): string | undefined => env[name];
const CONNECTION = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0LWtleQ==;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;';

describe('queue intake settings', () => {
  it('are off without AKVSYNC_QUEUE_NAME', () => {
    expect(parseQueueIntakeConfig(getter({}))).toBeUndefined();
  });

  it('parse with defaults, and never print the connection string', () => {
    const config = parseQueueIntakeConfig(getter({ AKVSYNC_QUEUE_NAME: 'akvsync-q-prod', AKVSYNC_QUEUE_CONNECTION_STRING: CONNECTION }));
    expect(config).toMatchObject({ queueName: 'akvsync-q-prod', serviceUrl: undefined, visibilityTimeoutSeconds: 30, maxDequeueCount: 5, maxPollIntervalMs: 5000 });
    expect(config?.connectionString).toBe(CONNECTION);
    expect(JSON.stringify(config) + inspect(config)).not.toContain('c2VjcmV0LWtleQ');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a bad queue name', { AKVSYNC_QUEUE_NAME: 'Bad_Name', AKVSYNC_QUEUE_CONNECTION_STRING: CONNECTION }, /AKVSYNC_QUEUE_NAME/],
    ['neither URL nor connection string', { AKVSYNC_QUEUE_NAME: 'q-1' }, /exactly one of/],
    ['both', { AKVSYNC_QUEUE_NAME: 'q-1', AKVSYNC_QUEUE_CONNECTION_STRING: CONNECTION, AKVSYNC_QUEUE_SERVICE_URL: 'https://a.queue.core.windows.net' }, /exactly one of/],
    ['a plain-HTTP service URL', { AKVSYNC_QUEUE_NAME: 'q-1', AKVSYNC_QUEUE_SERVICE_URL: 'http://a.queue.core.windows.net' }, /AKVSYNC_QUEUE_SERVICE_URL/],
    ['a connection string that is none', { AKVSYNC_QUEUE_NAME: 'q-1', AKVSYNC_QUEUE_CONNECTION_STRING: 'hello' }, /not a Storage connection string/],
  ])('refuse %s', (_name, env, pattern) => {
    expect(() => parseQueueIntakeConfig(getter(env))).toThrow(pattern);
  });
});
