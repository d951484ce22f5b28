/**
 * Writes the AzureKeyVaultSecret and AzureKeyVaultAccessPolicy CRDs next to this file from core/ (one source of truth).
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts          # write
 *   scripts/node --import tsx cluster-agent/manifests/generate-crd.ts --check  # exit 1 if the file is stale
 */
import { AKVS_CRD_FILE, renderCrdYaml } from '../../core/crd/crd-manifest.js';
import { ACCESS_POLICY_CRD_FILE, renderAccessPolicyCrdYaml } from '../../core/tenancy/access-policy-crd.js';
import { writeGeneratedFiles } from './write-generated-files.js';

writeGeneratedFiles(
  [
    { target: new URL(AKVS_CRD_FILE, import.meta.url), label: AKVS_CRD_FILE, content: renderCrdYaml() },
    { target: new URL(ACCESS_POLICY_CRD_FILE, import.meta.url), label: ACCESS_POLICY_CRD_FILE, content: renderAccessPolicyCrdYaml() },
  ],
  'cluster-agent/manifests/generate-crd.ts',
);
