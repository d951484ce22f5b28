import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ACCESS_POLICY_CRD_FILE, renderAccessPolicyCrdYaml } from '../../../../core/tenancy/access-policy-crd.js';

const committedPath = fileURLToPath(new URL(`../../../../cluster-agent/manifests/${ACCESS_POLICY_CRD_FILE}`, import.meta.url));

describe('the AzureKeyVaultAccessPolicy CRD', () => {
  it('is committed exactly as generated from core/tenancy (run cluster-agent/manifests/generate-crd.ts)', () => {
    expect(readFileSync(committedPath, 'utf8')).toBe(renderAccessPolicyCrdYaml());
  });

  it('is cluster-scoped in akvsync.io/v1, and keeps matchLabels a typed map while closed objects lose additionalProperties', () => {
    const crd = parse(readFileSync(committedPath, 'utf8')) as {
      spec: { scope: string; group: string; versions: { name: string; schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }[] };
    };
    expect(crd.spec).toMatchObject({ scope: 'Cluster', group: 'akvsync.io', names: { kind: 'AzureKeyVaultAccessPolicy' } });
    const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec as { additionalProperties?: unknown; properties: { namespaceSelector: { properties: { matchLabels: unknown } } } };
    expect(spec.additionalProperties).toBeUndefined();
    expect(spec.properties.namespaceSelector.properties.matchLabels).toMatchObject({ type: 'object', additionalProperties: { type: 'string', maxLength: 63 } });
  });
});
