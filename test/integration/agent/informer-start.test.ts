/**
 * The CR informer's start-up against the real apiserver: a CRD that is not served yet answers 404 to the first list;
 * the informer retries that a bounded number of times, so an agent started together with its CRD comes up, and one
 * started without it fails with an error that says so. A throwaway CRD stands in for azurekeyvaultsecrets, which the
 * other test files of this run use.
 */
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { AkvsInformerSet } from '../../../cluster-agent/adapters/akvs-informer.js';
import { createLogger } from '../../../cluster-agent/logger.js';
import { systemScheduler } from '../../../cluster-agent/ports/scheduler.js';
import type { AzureKeyVaultSecret } from '../../../core/crd/azure-key-vault-secret.js';
import { getTestStack } from '../support/stack-client.js';
import { widgetCrd } from '../support/widget-crd.js';
import { waitFor } from './agent-harness.js';

const stack = getTestStack();
const extensions = stack.kubeConfig.makeApiClient(ApiextensionsV1Api);
const objects = stack.kubeConfig.makeApiClient(CustomObjectsApi);

function informerSet(namespace: string, resource: { group: string; version: string; plural: string }, maxNotFoundRetries: number) {
  const logLines: string[] = [];
  const upserted: string[] = [];
  const set = new AkvsInformerSet({
    kubeConfig: stack.kubeConfig,
    namespaces: [namespace],
    handlers: { upsert: (cr: AzureKeyVaultSecret) => void upserted.push(cr.metadata.name), remove: () => undefined },
    scheduler: systemScheduler,
    logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }),
    reconnectDelayMs: 50,
    maxReconnectDelayMs: 200,
    maxNotFoundRetries,
    resource,
  });
  return { set, logLines, upserted };
}

describe('CR informer start-up while the CRD is not served', () => {
  let namespace: string;
  const created: string[] = [];
  beforeAll(async () => {
    namespace = await stack.createNamespace('informer');
  });
  afterAll(async () => {
    for (const name of created) await extensions.deleteCustomResourceDefinition({ name }).catch(() => undefined);
    if (namespace) await stack.kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
  });

  it('retries the 404 of its first list and starts once the CRD created after it is served', async () => {
    const { crd, resource } = widgetCrd('informer');
    const { set, logLines, upserted } = informerSet(namespace, resource, 1000);
    try {
      const started = set.start();
      await waitFor('a 404 on the first list', () => (logLines.some((l) => l.includes('first list failed; retrying') && l.includes('KubernetesNotFound')) ? true : undefined));
      expect(set.synced).toBe(false);

      await extensions.createCustomResourceDefinition({ body: crd });
      created.push(crd.metadata!.name!);
      await started;

      expect(set.synced).toBe(true);
      await objects.createNamespacedCustomObject({ ...resource, namespace, body: { apiVersion: `${resource.group}/v1`, kind: 'Widget', metadata: { name: 'w1' } } });
      await waitFor('the informer to see the new object', () => (upserted.includes('w1') ? true : undefined));
    } finally {
      await set.stop();
    }
  });

  it('fails start-up with an error naming the resource when the CRD stays absent', async () => {
    const { resource } = widgetCrd('informer');
    const { set, logLines } = informerSet(namespace, resource, 2);
    try {
      const error = await set.start().then(() => undefined, (e: unknown) => e);

      expect(error).toMatchObject({ kind: 'terminal', code: 'CrdNotServed' });
      expect((error as Error).message).toContain(`widgets.${resource.group}/v1`);
      expect((error as Error).message).toContain('404 on 3 lists in a row');
      expect(logLines.filter((l) => l.includes('first list failed; retrying'))).toHaveLength(2);
      expect(set.synced).toBe(false);
    } finally {
      await set.stop();
    }
  });
});
