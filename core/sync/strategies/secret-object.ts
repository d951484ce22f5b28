import {
  SECRET_TYPE_BASIC_AUTH, SECRET_TYPE_DOCKER_CONFIG_JSON, SECRET_TYPE_DOCKERCFG, SECRET_TYPE_SSH_AUTH, SECRET_TYPE_TLS,
} from '../../crd/secret-types.js';
import { TerminalError } from '../../errors.js';
import { secretValueOf } from '../output-strategy.js';
import type { ObjectTypeStrategy, StrategyInput } from '../output-strategy.js';
import { applyTransforms } from '../transforms.js';
import { unsupportedObject } from './unsupported-object.js';

function invalidFormat(input: StrategyInput, expected: string): TerminalError {
  const { spec, value, target } = input;
  return new TerminalError('InvalidSecretFormat',
    `Key Vault secret '${spec.vault.object.name}' version ${value.version} is not ${expected}, as Secret type ${target.secretType} needs`);
}

function isJson(value: Buffer): boolean {
  try {
    JSON.parse(value.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Secret types that take the value under their own well-known keys (akv2k8s' mapping). */
const OWN_KEYS: Record<string, (value: Buffer, input: StrategyInput) => [string, Buffer][]> = {
  [SECRET_TYPE_BASIC_AUTH]: (value, input) => {
    const colon = value.indexOf(':');
    if (colon < 0) throw invalidFormat(input, "in the form 'username:password'");
    return [['username', value.subarray(0, colon)], ['password', value.subarray(colon + 1)]];
  },
  [SECRET_TYPE_DOCKER_CONFIG_JSON]: (value, input) => {
    if (!isJson(value)) throw invalidFormat(input, 'valid JSON');
    return [['.dockerconfigjson', value]];
  },
  [SECRET_TYPE_DOCKERCFG]: (value, input) => {
    if (!isJson(value)) throw invalidFormat(input, 'valid JSON');
    return [['.dockercfg', value]];
  },
  [SECRET_TYPE_SSH_AUTH]: (value) => [['ssh-privatekey', value]],
};

const pfxOrPem = unsupportedObject(`a 'secret' object written as Secret type ${SECRET_TYPE_TLS} (PFX/PEM)`);

/**
 * `secret`: the value after `output.transform`, under `dataKey` (Opaque, absent or custom Secret type, and any
 * ConfigMap), or under the well-known keys of basic-auth / dockerconfigjson / dockercfg / ssh-auth Secrets.
 */
export const secretObject: ObjectTypeStrategy = (input) => {
  const { spec, value, target } = input;
  if (target.kind === 'Secret' && target.secretType === SECRET_TYPE_TLS) return pfxOrPem(input);
  const transformed = applyTransforms(Buffer.from(secretValueOf(input).value, 'utf8'), spec.output?.transform ?? [],
    { objectName: spec.vault.object.name, version: value.version });
  const ownKeys = target.kind === 'Secret' && target.secretType !== undefined ? OWN_KEYS[target.secretType] : undefined;
  if (ownKeys) return ownKeys(transformed, input);
  if (target.dataKey === undefined) {
    throw new TerminalError('InvalidSpec', `spec.output.${target.kind === 'Secret' ? 'secret' : 'configMap'}.dataKey: is required`);
  }
  return [[target.dataKey, transformed]];
};
