import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { AKVS_OBJECT_SCHEMA, type JsonSchema } from '../../../../core/crd/akvs-schema.js';
import { AKVS_CRD_FILE, AKVS_PRINTER_COLUMNS, akvsCrdManifest, renderCrdYaml, toStructuralSchema } from '../../../../core/crd/crd-manifest.js';

const committedPath = fileURLToPath(new URL(`../../../../cluster-agent/manifests/${AKVS_CRD_FILE}`, import.meta.url));

function walk(schema: JsonSchema, path: string, visit: (node: JsonSchema, path: string) => void): void {
  visit(schema, path);
  for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (schema.items) walk(schema.items, `${path}[]`, visit);
}

const openApiSchema = (): JsonSchema => {
  const versions = (akvsCrdManifest().spec as { versions: { schema: { openAPIV3Schema: JsonSchema } }[] }).versions;
  return (versions[0] as { schema: { openAPIV3Schema: JsonSchema } }).schema.openAPIV3Schema;
};

describe('the AzureKeyVaultSecret CRD', () => {
  it('is committed exactly as generated from core/crd (run cluster-agent/manifests/generate-crd.ts)', () => {
    expect(readFileSync(committedPath, 'utf8')).toBe(renderCrdYaml());
  });

  it('declares group, names, scope, the status subresource and the v1 storage version', () => {
    const crd = parse(readFileSync(committedPath, 'utf8')) as { metadata: { name: string }; spec: { versions: unknown[] } };
    expect(crd.metadata.name).toBe('azurekeyvaultsecrets.akvsync.io');
    expect(crd.spec).toMatchObject({
      group: 'akvsync.io',
      scope: 'Namespaced',
      names: { kind: 'AzureKeyVaultSecret', plural: 'azurekeyvaultsecrets', shortNames: ['akvs'] },
    });
    expect(crd.spec.versions).toHaveLength(1);
    expect(crd.spec.versions[0]).toMatchObject({ name: 'v1', served: true, storage: true, subresources: { status: {} } });
  });

  it('has a structural schema: every node typed, no additionalProperties, known formats only', () => {
    const problems: string[] = [];
    walk(openApiSchema(), '', (node, path) => {
      if (node.type === undefined) problems.push(`${path}: no type`);
      if ('additionalProperties' in node) problems.push(`${path}: additionalProperties`);
      if (node.format !== undefined && !['date-time', 'int64'].includes(node.format)) problems.push(`${path}: format ${node.format}`);
    });
    expect(problems).toEqual([]);
  });

  it('keeps additionalProperties: false in the schema validateAkvsSpec uses, and only drops it for the CRD', () => {
    expect(AKVS_OBJECT_SCHEMA.properties?.spec?.additionalProperties).toBe(false);
    expect(toStructuralSchema({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } }))
      .toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('uses patterns that Go RE2 can compile too (no look-around or back-references)', () => {
    const patterns: string[] = [];
    walk(openApiSchema(), '', (node) => {
      if (node.pattern !== undefined) patterns.push(node.pattern);
    });
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) {
      expect(pattern).not.toMatch(/\(\?[=!<]|\\[1-9]/);
      expect(() => new RegExp(pattern)).not.toThrow();
    }
  });

  it('has printer columns whose paths exist in the schema', () => {
    const root = openApiSchema();
    for (const column of AKVS_PRINTER_COLUMNS) {
      if (column.jsonPath.startsWith('.metadata.')) continue;
      let node: JsonSchema | undefined = root;
      for (const step of column.jsonPath.replace(/\[\?.*\]/, '').split('.').slice(1)) {
        node = node?.type === 'array' ? node.items?.properties?.[step] : node?.properties?.[step];
      }
      expect({ column: column.name, found: node !== undefined }).toEqual({ column: column.name, found: true });
    }
    expect(AKVS_PRINTER_COLUMNS.map((c) => c.name)).toEqual(expect.arrayContaining(['Vault', 'Object', 'Type', 'Secret', 'Synced Version', 'Ready', 'Age']));
  });

  it('carries the cross-field rules as CEL validations with the messages validateAkvsSpec uses', () => {
    const rules = openApiSchema().properties?.spec?.['x-kubernetes-validations'] ?? [];
    expect(rules.map((r) => r.fieldPath)).toEqual(['.output', '.output.secret.dataKey', '.output.configMap.dataKey', '.output.transform', '.output.keyFormat', '.output.secret.includeCaCert']);
    expect(rules.find((r) => r.fieldPath === '.output.secret.dataKey')?.rule).toContain("'kubernetes.io/basic-auth'");
  });
});
