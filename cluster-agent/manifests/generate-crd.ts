/**
 * Writes the AzureKeyVaultSecret and AzureKeyVaultAccessPolicy CRDs next to this file from core/ (one source of truth).
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts --check  # exit 1 if the file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AKVS_CRD_FILE, renderCrdYaml } from '../../core/crd/crd-manifest.js';
import { ACCESS_POLICY_CRD_FILE, renderAccessPolicyCrdYaml } from '../../core/tenancy/access-policy-crd.js';

for (const [file, yaml] of [[AKVS_CRD_FILE, renderCrdYaml()], [ACCESS_POLICY_CRD_FILE, renderAccessPolicyCrdYaml()]] as const) {
  const target = new URL(file, import.meta.url);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== yaml) {
      console.error(`${file} is stale: run cluster-agent/manifests/generate-crd.ts`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(target, yaml);
    console.log(`wrote ${file}`);
  }
}
