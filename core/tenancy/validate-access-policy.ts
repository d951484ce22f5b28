/**
 * Validates an AzureKeyVaultAccessPolicy spec: the JSON schema the CRD embeds, then the selector value rules the
 * schema cannot express. Errors name the field (`spec.grants[0].vault: …`), never quote a value.
 */
import { Ajv } from 'ajv';
import { schemaErrorMessages } from '../crd/schema-errors.js';
import type { AccessPolicySpec } from './access-policy.js';
import { ACCESS_POLICY_SPEC_SCHEMA } from './access-policy-schema.js';
import { labelSelectorErrors } from './label-selector.js';

export type AccessPolicyValidation = { ok: true; spec: AccessPolicySpec } | { ok: false; errors: string[] };

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchema = ajv.compile<AccessPolicySpec>(ACCESS_POLICY_SPEC_SCHEMA);

export function validateAccessPolicySpec(spec: unknown): AccessPolicyValidation {
  if (spec === undefined || spec === null) return { ok: false, errors: ['spec: is required'] };
  if (!validateSchema(spec)) return { ok: false, errors: schemaErrorMessages('spec', validateSchema.errors) };
  const errors = labelSelectorErrors(spec.namespaceSelector, 'spec.namespaceSelector');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec };
}
