/**
 * Validates an AzureKeyVaultSecret spec against the same JSON schema the CRD embeds (akvs-schema.ts), then the
 * cross-field rules (spec-rules.ts). Every error string names the field: `spec.output.secret.dataKey: …`.
 * Messages are built from field names and rules only, never from the offending value.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { AKVS_SPEC_SCHEMA } from './akvs-schema.js';
import type { AkvsSpec } from './azure-key-vault-secret.js';
import { PATTERN_HINTS } from './kubernetes-names.js';
import { AKVS_SPEC_RULES } from './spec-rules.js';

export type SpecValidation = { ok: true; spec: AkvsSpec } | { ok: false; errors: string[] };

const ajv = new Ajv({ allErrors: true, strict: true });
for (const keyword of ['x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys']) ajv.addKeyword(keyword);
const validateSchema = ajv.compile<AkvsSpec>(AKVS_SPEC_SCHEMA);

/** A field name from user input, safe to print: plain names as they are, anything else JSON-quoted and capped. */
function fieldName(name: string): string {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(name)) return name;
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

function pathOf(instancePath: string): string {
  let path = 'spec';
  for (const segment of instancePath.split('/').slice(1)) {
    const name = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(name) ? `[${name}]` : `.${fieldName(name)}`;
  }
  return path;
}

const article: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string', integer: 'an integer', boolean: 'a boolean' };

function describe(error: ErrorObject): string {
  const at = pathOf(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': return `${at}.${fieldName(String(p.missingProperty))}: is required`;
    case 'additionalProperties': return `${at}.${fieldName(String(p.additionalProperty))}: is not a known field`;
    case 'type': return `${at}: must be ${article[String(p.type)] ?? String(p.type)}`;
    case 'enum': return `${at}: must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'pattern': return `${at}: ${PATTERN_HINTS[String(p.pattern)] ?? `must match ${String(p.pattern)}`}`;
    case 'minLength': return p.limit === 1 ? `${at}: must not be empty` : `${at}: must be at least ${String(p.limit)} characters`;
    case 'maxLength': return `${at}: must be at most ${String(p.limit)} characters`;
    case 'maxItems': return `${at}: must have at most ${String(p.limit)} items`;
    default: return `${at}: ${error.message ?? 'is invalid'}`;
  }
}

export function validateAkvsSpec(spec: unknown): SpecValidation {
  if (spec === undefined || spec === null) return { ok: false, errors: ['spec: is required'] };
  if (!validateSchema(spec)) {
    const errors = [...new Set((validateSchema.errors ?? []).map(describe))];
    return { ok: false, errors };
  }
  const errors = AKVS_SPEC_RULES.filter((rule) => !rule.holds(spec)).map((rule) => `spec${rule.fieldPath}: ${rule.message}`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec };
}
