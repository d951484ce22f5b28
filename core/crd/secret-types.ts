import type { AkvsObjectType } from './azure-key-vault-secret.js';

/**
 * Kubernetes Secret types the outputs know about. Single-value objects written to one of the well-known types
 * land under that type's own keys (as akv2k8s does), so `dataKey` is ignored for them; for `Opaque`, an absent
 * type or a custom type, `dataKey` names the key.
 */
export const SECRET_TYPE_OPAQUE = 'Opaque';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';
export const SECRET_TYPE_BASIC_AUTH = 'kubernetes.io/basic-auth';
export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const SECRET_TYPE_SSH_AUTH = 'kubernetes.io/ssh-auth';

/** Per object type: the output Secret types that choose their own keys, so `output.secret.dataKey` is not needed. */
export const SECRET_TYPES_WITH_OWN_KEYS: Readonly<Record<AkvsObjectType, readonly string[] | 'all'>> = {
  secret: [SECRET_TYPE_TLS, SECRET_TYPE_BASIC_AUTH, SECRET_TYPE_DOCKER_CONFIG_JSON, SECRET_TYPE_DOCKERCFG, SECRET_TYPE_SSH_AUTH],
  certificate: [SECRET_TYPE_TLS],
  key: [],
  'multi-key-value-secret': 'all',
};

/** Does an `output.secret` for this object type and Secret type need a `dataKey`? */
export function secretOutputNeedsDataKey(objectType: AkvsObjectType, secretType: string | undefined): boolean {
  const own = SECRET_TYPES_WITH_OWN_KEYS[objectType];
  if (own === 'all') return false;
  return secretType === undefined || !own.includes(secretType);
}
