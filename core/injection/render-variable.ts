/**
 * One planned variable's value(s) from the Key Vault value it names: pure, shared by env-exec (workload-identity
 * mode) and the agent's `/v1/env`. Errors name the variable, the object and the version, never the value.
 */
import { TerminalError } from '../errors.js';
import { multiKeyValueFormat } from '../sync/multi-key-value-format.js';
import { keyPosition, parseMultiKeyValue } from '../sync/parse-multi-key-value.js';
import { applyTransforms } from '../sync/transforms.js';
import type { PlannedVariable } from './injection-plan.js';
import { pemBlocks } from './pem-blocks.js';
import { ALL_KEYS_QUERY } from './placeholder.js';

/** A value read through Key Vault's secrets API (a secret, or a certificate's backing secret). Secret: never log it. */
export interface SecretText {
  readonly value: string;
  readonly contentType?: string | undefined;
  readonly version: string;
}

/** A single value, or (for `?*`) every key of a multi-key-value-secret. */
export type RenderedVariable = string | Readonly<Record<string, string>>;

/** POSIX-portable environment names, as Kubernetes validated them before 1.34 (C identifier plus `-` and `.`). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const isEnvName = (name: string): boolean => ENV_NAME.test(name);

const PKCS12_TYPES = new Set(['application/x-pkcs12', 'application/pkcs12']);

function fail(entry: PlannedVariable, version: string, code: string, what: string): TerminalError {
  return new TerminalError(code, `env ${entry.env}: Key Vault ${entry.source.type} '${entry.source.name}' version ${version} ${what}`);
}

/** `keyIndex`: the position of a multi-key-value key (keys come from the value, so they are never quoted). */
function noNul(entry: PlannedVariable, version: string, text: string, keyIndex?: number): string {
  if (text.includes('\0')) throw fail(entry, version, 'InvalidEnvValue', `${keyIndex === undefined ? '' : `${keyPosition(keyIndex)} `}holds a NUL byte, which an environment variable cannot hold`);
  return text;
}

function pemPart(entry: PlannedVariable, value: SecretText, part: 'tls.crt' | 'tls.key'): string {
  const contentType = (value.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (PKCS12_TYPES.has(contentType)) throw fail(entry, value.version, 'UnsupportedFormat', `is PKCS#12 (PFX), which env injection does not support yet; store it as PEM`);
  const blocks = pemBlocks(value.value);
  const chosen = part === 'tls.crt'
    ? blocks.filter((b) => b.label === 'CERTIFICATE')
    : blocks.filter((b) => /(^| )PRIVATE KEY$/.test(b.label)).slice(0, 1);
  if (chosen.length === 0) throw fail(entry, value.version, 'InvalidSecretFormat', `has no PEM ${part === 'tls.crt' ? 'certificate' : 'private key'} for '?${part}'`);
  return `${chosen.map((b) => b.text).join('\n')}\n`;
}

function userPass(entry: PlannedVariable, value: SecretText, part: 'username' | 'password', text: string): string {
  const colon = text.indexOf(':');
  if (colon < 0) throw fail(entry, value.version, 'InvalidSecretFormat', `is not in the form 'username:password', as '?${part}' needs`);
  return part === 'username' ? text.slice(0, colon) : text.slice(colon + 1);
}

export function renderVariable(entry: PlannedVariable, value: SecretText): RenderedVariable {
  const { source, query } = entry;
  const subject = { objectName: source.name, version: value.version };
  switch (source.type) {
    case 'secret': {
      if (query === 'tls.crt' || query === 'tls.key') return noNul(entry, value.version, pemPart(entry, value, query));
      const text = applyTransforms(Buffer.from(value.value, 'utf8'), source.transform ?? [], subject).toString('utf8');
      if (query === 'username' || query === 'password') return noNul(entry, value.version, userPass(entry, value, query, text));
      return noNul(entry, value.version, text);
    }
    case 'certificate':
      return noNul(entry, value.version, pemPart(entry, value, query === 'tls.key' ? 'tls.key' : 'tls.crt'));
    case 'multi-key-value-secret': {
      const entries = parseMultiKeyValue(value.value, multiKeyValueFormat(source.contentType, value.contentType), subject);
      if (query === ALL_KEYS_QUERY) {
        entries.forEach(([key, text], index) => {
          if (!isEnvName(key)) throw fail(entry, value.version, 'InvalidEnvName', `${keyPosition(index)} is not a valid environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)`);
          noNul(entry, value.version, text, index);
        });
        return Object.freeze(Object.fromEntries(entries));
      }
      const index = entries.findIndex(([key]) => key === query);
      const found = entries[index];
      // The query comes from the pod spec, not from the value, so it may be quoted.
      if (found === undefined) throw fail(entry, value.version, 'KeyNotFound', `has no key ${JSON.stringify((query ?? '').slice(0, 64))}`);
      return noNul(entry, value.version, found[1], index);
    }
    case 'key':
      throw fail(entry, value.version, 'UnsupportedObjectType', 'is a key, which env injection does not support yet');
  }
}
