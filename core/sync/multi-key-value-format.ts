import type { AkvsContentType } from '../crd/azure-key-vault-secret.js';
import { TerminalError } from '../errors.js';
import type { MultiKeyValueFormat } from './parse-multi-key-value.js';

const JSON_TYPES = new Set(['application/x-json', 'application/json', 'text/json']);
const YAML_TYPES = new Set(['application/x-yaml', 'application/yaml', 'text/yaml', 'text/x-yaml']);

/**
 * How to parse a multi-key-value-secret: the spec's `contentType` wins (akv2k8s); without it, the Key Vault
 * secret's own content type when that is a JSON or YAML media type (akvsync addition).
 */
export function multiKeyValueFormat(specContentType: AkvsContentType | undefined, keyVaultContentType: string | undefined): MultiKeyValueFormat {
  const chosen = (specContentType ?? keyVaultContentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (JSON_TYPES.has(chosen)) return 'json';
  if (YAML_TYPES.has(chosen)) return 'yaml';
  throw new TerminalError('MissingContentType',
    "spec.vault.object.contentType: is required for a multi-key-value-secret whose Key Vault content type is not JSON or YAML (use 'application/x-json' or 'application/x-yaml')");
}
