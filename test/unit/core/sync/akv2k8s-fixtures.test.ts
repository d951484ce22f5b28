/**
 * akv2k8s's own examples (captured in ../shared/fixtures/akv2k8s-examples beside the repo): with only
 * `apiVersion: spv.no/v2beta1` → `akvsync.io/v1` changed, each validates and produces the output akv2k8s would.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import type { AzureKeyVaultSecret } from '../../../../core/crd/azure-key-vault-secret.js';
import { validateAkvsSpec } from '../../../../core/crd/validate-spec.js';
import { computeDesiredOutput, type DesiredOutput } from '../../../../core/sync/compute-desired-output.js';
import { type TestChain, chain, opensslPkcs12 } from '../../../support/test-certificates.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = join(repoRoot, '..', 'shared', 'fixtures', 'akv2k8s-examples');
const read = (file: string): string => readFileSync(join(dir, file), 'utf8');

interface Example { file: string; akvs: AzureKeyVaultSecret; originalApiVersion: string }

function loadExamples(): Example[] {
  const examples: Example[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.yaml') || file.includes('expected-secret') || file.includes('deployment') || file.includes('akv-value')) continue;
    for (const doc of parseAllDocuments(read(file))) {
      const obj = doc.toJS() as Record<string, unknown> | null;
      if (obj?.kind !== 'AzureKeyVaultSecret' || file.includes('template')) continue;
      const originalApiVersion = String(obj.apiVersion);
      const akvs = { ...obj, apiVersion: originalApiVersion.replace('spv.no/v2beta1', 'akvsync.io/v1') } as unknown as AzureKeyVaultSecret;
      const metadata: Partial<AzureKeyVaultSecret['metadata']> = akvs.metadata;
      akvs.metadata = { uid: 'uid-1', generation: 1, namespace: 'default', ...metadata, name: String(metadata.name).trim() };
      examples.push({ file, akvs, originalApiVersion });
    }
  }
  return examples;
}

const examples = loadExamples();
const v2beta1 = examples.filter((e) => e.originalApiVersion === 'spv.no/v2beta1');
const SECRET_VALUE = 'fixture-secret-value-7f3a';
const version = '0123456789abcdef0123456789abcdef';

/** Plain-value examples (the generic cases below); certificates, keys and PFX secrets have their own. */
const isSupported = (e: Example): boolean => {
  const { object } = e.akvs.spec.vault;
  const tls = e.akvs.spec.output?.secret?.type === 'kubernetes.io/tls';
  return (object.type === 'secret' || object.type === 'multi-key-value-secret') && !tls;
};
const writesOutput = (e: Example): boolean => Boolean(e.akvs.spec.output?.secret ?? e.akvs.spec.output?.configMap);

/** Type and decoded data of an expected-secret.yaml. */
function expectedSecret(file: string): { type: string; data: Record<string, string> } {
  const doc = parse(read(file)) as { type?: string; data: Record<string, string> };
  return { type: doc.type ?? 'Opaque', data: Object.fromEntries(Object.entries(doc.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) };
}

const decoded = (out: DesiredOutput): Record<string, string> =>
  (out.kind === 'None' ? {} : Object.fromEntries(Object.entries(out.data).map(([k, v]) => [k, v.toString('utf8')])));

describe('akv2k8s examples (spv.no/v2beta1 → akvsync.io/v1)', () => {
  it('finds the fixture directory beside the repository and every example in it', () => {
    expect(existsSync(dir)).toBe(true);
    expect(v2beta1.length).toBeGreaterThanOrEqual(20);
  });

  it.each(v2beta1.map((e) => [`${e.file} ${e.akvs.metadata.name}`, e] as const))('%s validates', (_name, e) => {
    expect(validateAkvsSpec(e.akvs.spec)).toEqual({ ok: true, spec: e.akvs.spec });
  });

  const singleValue = v2beta1.filter((e) => isSupported(e) && writesOutput(e) && e.akvs.spec.vault.object.type === 'secret');
  it.each(singleValue.map((e) => [`${e.file} ${e.akvs.metadata.name}`, e] as const))('%s writes the value under its dataKey', (_name, e) => {
    const transforms = e.akvs.spec.output?.transform ?? [];
    // 14-transform-base64decode-trim: the vault holds base64 of a padded value.
    const stored = transforms[0] === 'base64decode' ? Buffer.from(`  ${SECRET_VALUE}\n`).toString('base64') : SECRET_VALUE;
    const out = computeDesiredOutput(e.akvs, { value: stored, version });
    const target = e.akvs.spec.output?.secret ?? e.akvs.spec.output?.configMap;
    expect(out).toMatchObject({
      kind: e.akvs.spec.output?.secret ? 'Secret' : 'ConfigMap',
      namespace: e.akvs.metadata.namespace,
      name: target?.name,
    });
    if (e.akvs.spec.output?.secret) expect(out).toMatchObject({ secretType: 'Opaque' });
    else expect(out).not.toHaveProperty('secretType');
    expect(decoded(out)).toEqual({ [String(target?.dataKey)]: SECRET_VALUE });
  });

  it('05: two objects naming one Secret compute disjoint keys of it (written together: test/integration/agent/shared-output.test.ts)', () => {
    const [one, two] = v2beta1.filter((e) => e.file === '05-sync-multi-akvs-to-one-secret.akvs.yaml');
    const a = computeDesiredOutput(one!.akvs, { value: 'a', version });
    const b = computeDesiredOutput(two!.akvs, { value: 'b', version });
    expect(a.kind === 'Secret' && b.kind === 'Secret' && a.name === b.name).toBe(true);
    expect({ ...decoded(a), ...decoded(b) }).toEqual({ 'secret-value-1': 'a', 'secret-value-2': 'b' });
  });

  describe('04 multi-key-value-secret → 04-sync-multi-key-value-secret.expected-secret.yaml', () => {
    const example = v2beta1.find((e) => e.file === '04-sync-multi-key-value-secret.akvs.yaml') as Example;
    const expected = expectedSecret('04-sync-multi-key-value-secret.expected-secret.yaml');

    it('from the JSON value (contentType application/x-json, as in the example)', () => {
      const out = computeDesiredOutput(example.akvs, { value: read('04-multi-key-value-secret.akv-value.json'), version });
      expect(out).toMatchObject({ kind: 'Secret', name: 'db-config', secretType: expected.type });
      expect(decoded(out)).toEqual(expected.data);
    });

    it('from the YAML value (contentType switched to application/x-yaml)', () => {
      const akvs = structuredClone(example.akvs);
      akvs.spec.vault.object.contentType = 'application/x-yaml';
      const out = computeDesiredOutput(akvs, { value: read('04-multi-key-value-secret.akv-value.yaml'), version });
      expect(out).toMatchObject({ kind: 'Secret', name: 'db-config', secretType: expected.type });
      expect(decoded(out)).toEqual(expected.data);
    });

    it('it-akvs-multi-key-value-secret.yaml gives the same data', () => {
      const it2 = v2beta1.find((e) => e.file === 'it-akvs-multi-key-value-secret.yaml') as Example;
      expect(decoded(computeDesiredOutput(it2.akvs, { value: read('04-multi-key-value-secret.akv-value.json'), version }))).toEqual(expected.data);
    });
  });

  it.each(v2beta1.filter((e) => !writesOutput(e)).map((e) => [`${e.file} ${e.akvs.metadata.name}`, e] as const))(
    '%s (env injection only) writes nothing', (_name, e) => {
      expect(computeDesiredOutput(e.akvs, { value: SECRET_VALUE, version })).toEqual({ kind: 'None' });
    });

  describe('certificates, keys and PFX secrets (material generated here; end to end: test/integration/agent/akv2k8s-examples.test.ts)', () => {
    let material: TestChain;
    beforeAll(async () => {
      material = await chain('fixture', { kty: 'EC' }, 1);
    });
    const pfx = (): string => opensslPkcs12(material.leaf.keyPem, material.pems, '3des').toString('base64');
    const byFile = (file: string): Example => v2beta1.find((e) => e.file === file) as Example;
    const tlsKeysOf = (out: DesiredOutput): string[] => (out.kind === 'None' ? [] : Object.keys(out.data));

    it.each([
      ['02-sync-certificate-tls.akvs.yaml', '02-sync-certificate-tls.expected-secret.yaml', 'application/x-pkcs12'],
      ['it-akvs-certificate-sync.yaml', '02-sync-certificate-tls.expected-secret.yaml', 'application/x-pkcs12'],
      ['09-sync-pfx-stored-as-secret-to-tls.akvs.yaml', '09-sync-pfx-stored-as-secret-to-tls.expected-secret.yaml', undefined],
    ])('%s gives the type and keys of %s', (file, expectedFile, contentType) => {
      const expected = expectedSecret(expectedFile);
      const out = computeDesiredOutput(byFile(file).akvs, { value: pfx(), contentType, version });
      expect(out).toMatchObject({ kind: 'Secret', secretType: expected.type });
      expect(tlsKeysOf(out)).toEqual(Object.keys(expected.data));
    });

    it.each(['03-sync-signing-key.akvs.yaml', 'it-akvs-signing-key-sync.yaml'])('%s writes the public key as PEM under its dataKey', (file) => {
      const e = byFile(file);
      const jwk = createPublicKey(material.leaf.keyPem).export({ format: 'jwk' }) as Record<string, string>;
      const out = computeDesiredOutput(e.akvs, { jwk, version });
      expect(decoded(out)).toEqual({ [String(e.akvs.spec.output?.secret?.dataKey)]: createPublicKey(material.leaf.keyPem).export({ type: 'spki', format: 'pem' }).toString() });
    });

    it('every v2beta1 example that writes an output is covered: none is left unsupported', () => {
      expect(v2beta1.filter((e) => writesOutput(e) && !isSupported(e)).map((e) => e.file).sort()).toEqual([
        '02-sync-certificate-tls.akvs.yaml', '03-sync-signing-key.akvs.yaml', '09-sync-pfx-stored-as-secret-to-tls.akvs.yaml',
        'it-akvs-certificate-sync.yaml', 'it-akvs-signing-key-sync.yaml',
      ]);
    });
  });

  it('older akv2k8s versions: spv.no/v1 without output validates; the v1alpha1 example lacks output.secret.name', () => {
    const v1 = examples.find((e) => e.originalApiVersion === 'spv.no/v1') as Example;
    expect(validateAkvsSpec(v1.akvs.spec).ok).toBe(true);
    const v1alpha1 = examples.find((e) => e.originalApiVersion === 'spv.no/v1alpha1') as Example;
    expect(validateAkvsSpec(v1alpha1.akvs.spec)).toEqual({ ok: false, errors: ['spec.output.secret.name: is required'] });
  });
});
