/**
 * The one JSON schema of AzureKeyVaultSecret. validate-spec.ts compiles `AKVS_SPEC_SCHEMA` with ajv; crd-manifest.ts
 * embeds the same objects as the CRD's openAPIV3Schema (dropping `additionalProperties: false`, which structural
 * schemas forbid next to `properties`; the apiserver prunes or, with kubectl's strict field validation, rejects
 * unknown fields instead). Only keywords valid in both JSON Schema and Kubernetes structural schemas appear here;
 * patterns compile in both ECMAScript and Go RE2.
 */
import {
  AKVS_CONTENT_TYPES, AKVS_DELETION_POLICIES, AKVS_KEY_FORMATS, AKVS_OBJECT_TYPES, AKVS_TRANSFORMS,
} from './azure-key-vault-secret.js';
import {
  DATA_KEY_MAX, DATA_KEY_PATTERN, DNS_SUBDOMAIN_MAX, DNS_SUBDOMAIN_PATTERN, SECRET_TYPE_PATTERN,
  VAULT_NAME_PATTERN, VAULT_OBJECT_NAME_PATTERN, VAULT_OBJECT_VERSION_PATTERN,
} from './kubernetes-names.js';
import { AKVS_SPEC_RULES } from './spec-rules.js';

/** The subset of JSON Schema / Kubernetes JSONSchemaProps this project uses. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  /** `false` closes an object (dropped from the CRD); a schema types a map's values (kept). */
  additionalProperties?: false | JsonSchema;
  items?: JsonSchema;
  enum?: readonly string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  format?: 'date-time' | 'int64';
  'x-kubernetes-list-type'?: 'map' | 'set' | 'atomic';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string; reason?: string }[];
}

const nameOf = (what: string): JsonSchema => ({
  type: 'string', description: what, minLength: 1, maxLength: DNS_SUBDOMAIN_MAX, pattern: DNS_SUBDOMAIN_PATTERN,
});
const dataKey = (what: string): JsonSchema => ({
  type: 'string', description: what, minLength: 1, maxLength: DATA_KEY_MAX, pattern: DATA_KEY_PATTERN,
});

export const AKVS_SPEC_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Which Azure Key Vault object to deliver, and where to write it. A superset of akv2k8s spv.no/v2beta1.',
  required: ['vault'],
  additionalProperties: false,
  properties: {
    vault: {
      type: 'object',
      description: 'The Key Vault object to read.',
      required: ['name', 'object'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', description: 'Key Vault name (not URL).', pattern: VAULT_NAME_PATTERN, minLength: 3, maxLength: 24 },
        object: {
          type: 'object',
          required: ['name', 'type'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', description: 'Key Vault object name.', pattern: VAULT_OBJECT_NAME_PATTERN, minLength: 1, maxLength: 127 },
            type: { type: 'string', description: 'Key Vault object type.', enum: AKVS_OBJECT_TYPES },
            version: { type: 'string', description: 'Pin a version; absent = always the latest.', pattern: VAULT_OBJECT_VERSION_PATTERN, minLength: 1, maxLength: 64 },
            contentType: {
              type: 'string', enum: AKVS_CONTENT_TYPES,
              description: "multi-key-value-secret only: how to parse the value; absent = the Key Vault secret's content type.",
            },
          },
        },
        azureIdentity: {
          type: 'object',
          description: 'akv2k8s compatibility: the identity to read this object with.',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 253 } },
        },
      },
    },
    output: {
      type: 'object',
      description: 'Where to write the value. Absent: nothing is written (env injection only).',
      additionalProperties: false,
      properties: {
        secret: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: nameOf('Kubernetes Secret name, in this namespace.'),
            type: { type: 'string', description: 'Kubernetes Secret type; absent = Opaque.', pattern: SECRET_TYPE_PATTERN, minLength: 1, maxLength: 253 },
            dataKey: dataKey('The key of the value; required for Opaque and custom Secret types of single-value objects.'),
            chainOrder: {
              type: 'string', enum: ['ensureserverfirst'],
              description: 'akv2k8s compatibility: the chain is always written server (leaf) certificate first, whatever the stored order.',
            },
            includeCaCert: {
              type: 'boolean',
              description: 'kubernetes.io/tls outputs: also write ca.crt, the top certificate of the chain (the root when stored).',
            },
          },
        },
        configMap: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: nameOf('ConfigMap name, in this namespace.'),
            dataKey: dataKey('The key of the value; required unless the object is a multi-key-value-secret.'),
          },
        },
        transform: {
          type: 'array',
          description: 'Applied in order to a secret object\'s value.',
          maxItems: 10,
          items: { type: 'string', enum: AKVS_TRANSFORMS },
        },
        keyFormat: {
          type: 'string', enum: AKVS_KEY_FORMATS,
          description: 'key objects: the public key as pem (SPKI, default) or jwk (JSON Web Key).',
        },
      },
    },
    deletionPolicy: {
      type: 'string', enum: AKVS_DELETION_POLICIES,
      description: 'Delete (default): the output goes with this object. Retain: it stays.',
    },
  },
  'x-kubernetes-validations': AKVS_SPEC_RULES.map((r) => ({ rule: r.cel, message: r.message, fieldPath: r.fieldPath, reason: r.reason })),
};

const rfc3339 = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });

export const AKVS_STATUS_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Observed state, written by the agent. Never contains a secret value.',
  properties: {
    conditions: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      maxItems: 8,
      items: {
        type: 'object',
        required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
        properties: {
          type: { type: 'string', maxLength: 316 },
          status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
          reason: { type: 'string', maxLength: 1024 },
          message: { type: 'string', maxLength: 32768 },
          lastTransitionTime: rfc3339('When status last changed.'),
          observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
        },
      },
    },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
    syncedVersion: { type: 'string', description: 'Key Vault version last written.' },
    syncedUpdatedTime: rfc3339('Key Vault `updated` time of the synced version, as a properties listing shows it (catch-up compares it).'),
    dataHash: { type: 'string', description: 'Hash of the output data last written.' },
    dataHashKeyId: { type: 'string', description: 'Fingerprint of the data-hash key that made dataHash.' },
    outputKind: { type: 'string', enum: ['Secret', 'ConfigMap'] },
    outputName: { type: 'string' },
    lastSyncTime: rfc3339('Last successful reconcile.'),
    lastChangeTime: rfc3339('Last time the output data changed.'),
    lastError: { type: 'string', description: 'Last error; cleared on success.' },
    expiresOn: rfc3339('Expiry of the synced Key Vault version.'),
  },
};

/** The whole object, as the CRD's openAPIV3Schema (after crd-manifest.ts drops additionalProperties). */
export const AKVS_OBJECT_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Delivers one Azure Key Vault object into a Kubernetes Secret or ConfigMap.',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: AKVS_SPEC_SCHEMA,
    status: AKVS_STATUS_SCHEMA,
  },
};
