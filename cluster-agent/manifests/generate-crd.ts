/**
 * Writes the AzureKeyVaultSecret CRD next to this file from core/crd (one source of truth).
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts --check  # exit 1 if the file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AKVS_CRD_FILE, renderCrdYaml } from '../../core/crd/crd-manifest.js';

const target = new URL(AKVS_CRD_FILE, import.meta.url);
const yaml = renderCrdYaml();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== yaml) {
    console.error(`${AKVS_CRD_FILE} is stale: run cluster-agent/manifests/generate-crd.ts`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, yaml);
  console.log(`wrote ${AKVS_CRD_FILE}`);
}
