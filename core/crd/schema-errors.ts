/**
 * ajv errors as messages that name the field (`spec.output.secret.dataKey: …`), built from field names and rules
 * only, never from the offending value. Shared by every schema this project validates (AzureKeyVaultSecret,
 * AzureKeyVaultAccessPolicy).
 */
import type { ErrorObject } from 'ajv';
import { PATTERN_HINTS } from './kubernetes-names.js';

/** A field name from user input, safe to print: plain names as they are, anything else JSON-quoted and capped. */
function fieldName(name: string): string {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(name)) return name;
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

function pathOf(root: string, instancePath: string): string {
  let path = root;
  for (const segment of instancePath.split('/').slice(1)) {
    const name = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(name) ? `[${name}]` : `.${fieldName(name)}`;
  }
  return path;
}

const article: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string', integer: 'an integer', boolean: 'a boolean' };

function describe(root: string, error: ErrorObject): string {
  const at = pathOf(root, error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': return `${at}.${fieldName(String(p.missingProperty))}: is required`;
    case 'additionalProperties': return `${at}.${fieldName(String(p.additionalProperty))}: is not a known field`;
    case 'type': return `${at}: must be ${article[String(p.type)] ?? String(p.type)}`;
    case 'enum': return `${at}: must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'pattern': return `${at}: ${PATTERN_HINTS[String(p.pattern)] ?? `must match ${String(p.pattern)}`}`;
    case 'minLength': return p.limit === 1 ? `${at}: must not be empty` : `${at}: must be at least ${String(p.limit)} characters`;
    case 'maxLength': return `${at}: must be at most ${String(p.limit)} characters`;
    case 'minItems': return `${at}: must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems': return `${at}: must have at most ${String(p.limit)} items`;
    default: return `${at}: ${error.message ?? 'is invalid'}`;
  }
}

/** One message per distinct problem, each starting with the field's path under `root` (e.g. `spec`). */
export function schemaErrorMessages(root: string, errors: readonly ErrorObject[] | null | undefined): string[] {
  return [...new Set((errors ?? []).map((e) => describe(root, e)))];
}
