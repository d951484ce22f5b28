import type { AkvsObjectType } from '../crd/azure-key-vault-secret.js';
import type { ObjectTypeStrategy } from './output-strategy.js';
import { multiKeyValueObject } from './strategies/multi-key-value-object.js';
import { secretObject } from './strategies/secret-object.js';
import { unsupportedObject } from './strategies/unsupported-object.js';

/**
 * One strategy per Key Vault object type. Certificates and keys (and PFX/PEM secrets written as TLS Secrets)
 * are a later issue: they plug in here.
 */
export const OBJECT_TYPE_STRATEGIES: Readonly<Record<AkvsObjectType, ObjectTypeStrategy>> = {
  secret: secretObject,
  'multi-key-value-secret': multiKeyValueObject,
  certificate: unsupportedObject("object type 'certificate'"),
  key: unsupportedObject("object type 'key'"),
};
