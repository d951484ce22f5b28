import { publicKeyOutput } from '../../certificates/public-outputs.js';
import { TerminalError } from '../../errors.js';
import type { ObjectTypeStrategy } from '../output-strategy.js';
import { requireDataKey } from './require-data-key.js';

/**
 * `key`: the public key under `dataKey`, as SPKI PEM (default) or as a JWK when `output.keyFormat: jwk`; RSA and EC.
 * Never akv2k8s's raw modulus bytes (unreadable, and empty for EC keys).
 */
export const keyObject: ObjectTypeStrategy = ({ spec, value, target }) => {
  if (!('jwk' in value)) {
    throw new TerminalError('UnsupportedObjectType', `Key Vault object '${spec.vault.object.name}' version ${value.version} is not a key`);
  }
  const jwk = value.jwk;
  const subject = { objectName: spec.vault.object.name, version: value.version };
  return [[requireDataKey(target), publicKeyOutput({ ...jwk, kty: jwk.kty ?? '' }, spec.output?.keyFormat ?? 'pem', subject)]];
};
