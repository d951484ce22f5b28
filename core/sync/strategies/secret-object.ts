import {
  SECRET_TYPE_BASIC_AUTH, SECRET_TYPE_DOCKER_CONFIG_JSON, SECRET_TYPE_DOCKERCFG, SECRET_TYPE_SSH_AUTH, SECRET_TYPE_TLS,
} from '../../crd/secret-types.js';
import { readCertificateValue } from '../../certificates/certificate-value.js';
import { tlsSecretData } from '../../certificates/tls-secret-data.js';
import { TerminalError } from '../../errors.js';
import { secretValueOf } from '../output-strategy.js';
import type { ObjectTypeStrategy, StrategyInput } from '../output-strategy.js';
import { applyTransforms } from '../transforms.js';
import { requireDataKey } from './require-data-key.js';

function invalidFormat(input: StrategyInput, expected: string): TerminalError {
  const { spec, value, target } = input;
  return new TerminalError('InvalidSecretFormat',
    `Key Vault secret '${spec.vault.object.name}' version ${value.version} is not ${expected}, as Secret type ${target.secretType} needs`);
}

/** A JSON object, as the apiserver requires of .dockerconfigjson / .dockercfg (a string, list or number is refused there). */
function isJsonObject(value: Buffer): boolean {
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
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
    if (!isJsonObject(value)) throw invalidFormat(input, 'a JSON object');
    return [['.dockerconfigjson', value]];
  },
  [SECRET_TYPE_DOCKERCFG]: (value, input) => {
    if (!isJsonObject(value)) throw invalidFormat(input, 'a JSON object');
    return [['.dockercfg', value]];
  },
  [SECRET_TYPE_SSH_AUTH]: (value) => [['ssh-privatekey', value]],
};

/**
 * `secret`: the value after `output.transform`, under `dataKey` (Opaque, absent or custom Secret type, and any
 * ConfigMap), or under the well-known keys of basic-auth / dockerconfigjson / dockercfg / ssh-auth Secrets; as
 * `kubernetes.io/tls`, the value is a PFX (base64, no password: an App Service certificate, akv2k8s example 09) or a
 * PEM bundle, written as tls.crt (chain, leaf first) / tls.key (/ ca.crt).
 */
export const secretObject: ObjectTypeStrategy = (input) => {
  const { spec, value, target } = input;
  const secret = secretValueOf(input);
  const transformed = applyTransforms(Buffer.from(secret.value, 'utf8'), spec.output?.transform ?? [],
    { objectName: spec.vault.object.name, version: value.version });
  if (target.kind === 'Secret' && target.secretType === SECRET_TYPE_TLS) {
    const subject = { objectName: spec.vault.object.name, version: value.version };
    const chain = readCertificateValue(transformed.toString('utf8'), secret.contentType, subject);
    return tlsSecretData(chain, subject, { includeCaCert: spec.output?.secret?.includeCaCert === true });
  }
  const ownKeys = target.kind === 'Secret' && target.secretType !== undefined && Object.hasOwn(OWN_KEYS, target.secretType) ? OWN_KEYS[target.secretType] : undefined;
  if (ownKeys) return ownKeys(transformed, input);
  return [[requireDataKey(target), transformed]];
};
