import { deliveryQueueName, poisonQueueName, retryFunctionName, retryQueueName } from '../../../functions/cluster-queues.js';

const VALID_QUEUE = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

describe('cluster queue names', () => {
  it.each(['prod-weu', 'Prod.A', 'prod_a', 'x', 'A'.repeat(63), 'a..b__c--d'])('are valid Storage Queue names, poison queue included, for %p', (cluster) => {
    for (const name of [deliveryQueueName(cluster), retryQueueName(cluster), poisonQueueName(retryQueueName(cluster)), poisonQueueName(deliveryQueueName(cluster))]) {
      expect(name).toMatch(VALID_QUEUE);
      expect(name.length).toBeLessThanOrEqual(63);
    }
    expect(retryFunctionName(cluster)).toMatch(/^pushRetry-[a-z0-9-]+$/);
  });

  it('keep clusters apart that differ only in case or punctuation', () => {
    expect(new Set(['Prod.A', 'prod_a', 'prod-a', 'PROD-A'].map(retryQueueName)).size).toBe(4);
    expect(deliveryQueueName('prod')).not.toBe(retryQueueName('prod'));
  });
});
