import { randomBytes } from 'node:crypto';
import type { V1CustomResourceDefinition, V1JSONSchemaProps } from '@kubernetes/client-node';

/**
 * A throwaway namespaced CRD (`widgets.g<random>.<purpose>.akvsync.test`, kind Widget, version v1) for tests that need
 * a resource of their own; `specSchema` is the schema of `.spec`.
 */
export function widgetCrd(
  purpose: string,
  specSchema: V1JSONSchemaProps = { type: 'object' },
): { crd: V1CustomResourceDefinition; resource: { group: string; version: string; plural: string } } {
  const group = `g${randomBytes(4).toString('hex')}.${purpose}.akvsync.test`;
  const crd: V1CustomResourceDefinition = {
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: specSchema } } } }],
    },
  };
  return { crd, resource: { group, version: 'v1', plural: 'widgets' } };
}
