/**
 * The one JSON schema of AzureKeyVaultAccessPolicy: validate-access-policy.ts compiles the spec schema with ajv, and
 * access-policy-crd.ts embeds the same objects as the CRD's openAPIV3Schema (as core/crd/akvs-schema.ts does).
 */
import type { JsonSchema } from '../crd/akvs-schema.js';
import { AKVS_OBJECT_TYPES } from '../crd/azure-key-vault-secret.js';
import {
  DNS_SUBDOMAIN_MAX, DNS_SUBDOMAIN_PATTERN, GUID_PATTERN, LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN,
  VAULT_NAME_GLOB_PATTERN, VAULT_OBJECT_NAME_GLOB_PATTERN,
} from '../crd/kubernetes-names.js';
import { SELECTOR_OPERATORS } from './label-selector.js';

const labelKey: JsonSchema = { type: 'string', minLength: 1, maxLength: 317, pattern: LABEL_KEY_PATTERN };
const labelValue: JsonSchema = { type: 'string', maxLength: 63, pattern: LABEL_VALUE_PATTERN };
const guid = (description: string): JsonSchema => ({ type: 'string', description, pattern: GUID_PATTERN, minLength: 36, maxLength: 36 });

const LABEL_SELECTOR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Namespaces whose labels match (matchLabels and matchExpressions ANDed; {} selects every namespace).',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', description: 'Label key → exact value.', additionalProperties: labelValue },
    matchExpressions: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        required: ['key', 'operator'],
        additionalProperties: false,
        properties: {
          key: labelKey,
          operator: { type: 'string', enum: SELECTOR_OPERATORS },
          values: { type: 'array', maxItems: 100, items: labelValue, description: 'Required for In/NotIn, empty for Exists/DoesNotExist.' },
        },
      },
    },
  },
};

export const ACCESS_POLICY_SPEC_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Which namespaces may read which Key Vault objects, and as which identity.',
  required: ['namespaceSelector', 'grants'],
  additionalProperties: false,
  properties: {
    namespaceSelector: LABEL_SELECTOR_SCHEMA,
    grants: {
      type: 'array',
      description: 'What the selected namespaces may read; an object is allowed when any grant matches it.',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['vault', 'objects'],
        additionalProperties: false,
        properties: {
          vault: { type: 'string', description: 'Key Vault name, or a glob (* any run, ? one character), case-insensitive.', pattern: VAULT_NAME_GLOB_PATTERN, minLength: 1, maxLength: 24 },
          objects: {
            type: 'array', minItems: 1, maxItems: 100, description: 'Object-name globs (* any run, ? one character), case-insensitive.',
            items: { type: 'string', pattern: VAULT_OBJECT_NAME_GLOB_PATTERN, minLength: 1, maxLength: 127 },
          },
          objectTypes: { type: 'array', maxItems: 4, description: 'Absent: every type.', items: { type: 'string', enum: AKVS_OBJECT_TYPES } },
        },
      },
    },
    identity: {
      type: 'object',
      description: "Read as this Entra ID app, federated from a ServiceAccount in the CR's own namespace. Absent: the agent's identity.",
      required: ['serviceAccountName', 'clientId'],
      additionalProperties: false,
      properties: {
        serviceAccountName: { type: 'string', description: "ServiceAccount in the CR's namespace.", minLength: 1, maxLength: DNS_SUBDOMAIN_MAX, pattern: DNS_SUBDOMAIN_PATTERN },
        clientId: guid('Entra ID application (client) id with a federated credential for that ServiceAccount.'),
        tenantId: guid("Entra ID tenant; absent = the agent's tenant."),
      },
    },
  },
};

export const ACCESS_POLICY_OBJECT_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Maps namespaces to the Key Vault objects they may use (akvsync tenancy).',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: ACCESS_POLICY_SPEC_SCHEMA,
  },
};
