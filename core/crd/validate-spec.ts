/**
 * Validates an AzureKeyVaultSecret spec against the same JSON schema the CRD embeds (akvs-schema.ts), then the
 * cross-field rules (spec-rules.ts). Every error string names the field: `spec.output.secret.dataKey: …`.
 * Messages are built from field names and rules only, never from the offending value.
 */
import { Ajv } from 'ajv';
import { AKVS_SPEC_SCHEMA } from './akvs-schema.js';
import type { AkvsSpec } from './azure-key-vault-secret.js';
import { schemaErrorMessages } from './schema-errors.js';
import { AKVS_SPEC_RULES } from './spec-rules.js';

export type SpecValidation = { ok: true; spec: AkvsSpec } | { ok: false; errors: string[] };

const ajv = new Ajv({ allErrors: true, strict: true });
for (const keyword of ['x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys']) ajv.addKeyword(keyword);
const validateSchema = ajv.compile<AkvsSpec>(AKVS_SPEC_SCHEMA);

export function validateAkvsSpec(spec: unknown): SpecValidation {
  if (spec === undefined || spec === null) return { ok: false, errors: ['spec: is required'] };
  if (!validateSchema(spec)) {
    return { ok: false, errors: schemaErrorMessages('spec', validateSchema.errors) };
  }
  const errors = AKVS_SPEC_RULES.filter((rule) => !rule.holds(spec)).map((rule) => `spec${rule.fieldPath}: ${rule.message}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec };
}
