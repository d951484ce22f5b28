/**
 * Writes the AzureKeyVaultSecret and AzureKeyVaultAccessPolicy CRDs next to this file from core/ (one source of truth).
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts --check  # exit 1 if the file is stale
 */
import { AKVS_CRD_FILE, renderCrdYaml } from '../../core/crd/crd-manifest.js';
import { ACCESS_POLICY_CRD_FILE, renderAccessPolicyCrdYaml } from '../../core/tenancy/access-policy-crd.js';
import { writeGeneratedFiles } from './write-generated-files.js';

writeGeneratedFiles(
  [[AKVS_CRD_FILE, renderCrdYaml()], [ACCESS_POLICY_CRD_FILE, renderAccessPolicyCrdYaml()]].map(([file, yaml]) => (
    { target: new URL(file, import.meta.url), label: file, content: yaml })),
  'cluster-agent/manifests/generate-crd.ts',
);
