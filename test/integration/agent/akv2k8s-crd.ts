/**
 * akv2k8s's own CRD (azurekeyvaultsecrets.spv.no, test/fixtures/akv2k8s/), installed once per jest run on the shared
 * apiserver by every test that needs spv.no objects, so they all see the same schema.
 */
import { readFileSync } from 'node:fs';
import { ApiextensionsV1Api, loadYaml } from '@kubernetes/client-node';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { getTestStack } from '../support/stack-client.js';
import { waitFor } from './agent-harness.js';

const CRD_FILE = new URL('../../fixtures/akv2k8s/azurekeyvaultsecrets.spv.no.yaml', import.meta.url);
export const AKV2K8S_RESOURCE = { group: 'spv.no', version: 'v2beta1', plural: 'azurekeyvaultsecrets' } as const;

export async function applyAkv2k8sCrd(): Promise<void> {
  const extensions = getTestStack().kubeConfig.makeApiClient(ApiextensionsV1Api);
  const body = loadYaml<V1CustomResourceDefinition>(readFileSync(CRD_FILE, 'utf8'));
  await extensions.createCustomResourceDefinition({ body }).catch((error: unknown) => {
    if ((error as { code?: number }).code !== 409) throw error;
  });
  await waitFor('spv.no CRD established', async () => {
    const crd = await extensions.readCustomResourceDefinition({ name: 'azurekeyvaultsecrets.spv.no' });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
}
