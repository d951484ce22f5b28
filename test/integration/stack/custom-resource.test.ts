/** The local apiserver is real: a CRD becomes an API with schema validation, and objects of it persist. */
import { ApiException, ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { readCrds } from '../../../scripts/local-stack/install-crds.js';
import { PROJECT_CRD_PATHS } from '../../../scripts/local-stack/stack.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { getTestStack } from '../support/stack-client.js';
import { widgetCrd } from '../support/widget-crd.js';

const stack = getTestStack();
const extensions = stack.kubeConfig.makeApiClient(ApiextensionsV1Api);
const objects = stack.kubeConfig.makeApiClient(CustomObjectsApi);
const { crd, resource: { group } } = widgetCrd('stack', { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 } } });

describe('custom resources on the local apiserver', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await stack.createNamespace('crd');
    await extensions.createCustomResourceDefinition({ body: crd });
    await waitUntil(
      'the CRD to be established',
      async () => {
        const current = await extensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
        return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  });
  afterAll(async () => {
    await extensions.deleteCustomResourceDefinition({ name: crd.metadata!.name! });
  });

  it('has this repository\'s CRDs installed and established before any test runs', async () => {
    const names = readCrds(PROJECT_CRD_PATHS).map((c) => c.metadata?.name ?? '');
    expect(names).toContain('azurekeyvaultsecrets.akvsync.io');

    for (const name of names) {
      const installed = await extensions.readCustomResourceDefinition({ name });
      expect(installed.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Established', status: 'True' })]));
    }
  });

  it('stores an object of the new kind and reads it back', async () => {
    const base = { group, version: 'v1', namespace, plural: 'widgets' };
    await objects.createNamespacedCustomObject({ ...base, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } } });

    const read = (await objects.getNamespacedCustomObject({ ...base, name: 'w1' })) as { spec: { size: number }; metadata: { uid?: string } };
    expect(read.spec.size).toBe(3);
    expect(read.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects an object that violates the schema', async () => {
    const base = { group, version: 'v1', namespace, plural: 'widgets' };
    const bad = objects.createNamespacedCustomObject({ ...base, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 0 } } });

    await expect(bad).rejects.toBeInstanceOf(ApiException);
    await expect(bad).rejects.toMatchObject({ code: 422 });
  });
});
