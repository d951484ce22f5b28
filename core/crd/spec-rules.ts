/**
 * Cross-field rules of the spec that JSON Schema alone cannot say. Each rule is written twice, side by side:
 * as CEL for kube-apiserver (the CRD's x-kubernetes-validations, so `kubectl apply` rejects a bad object) and
 * as TypeScript for validateAkvsSpec (agent and tests). `self` in CEL is the spec.
 */
import type { AkvsSpec } from './azure-key-vault-secret.js';
import { SECRET_TYPE_TLS, SECRET_TYPES_WITH_OWN_KEYS, secretOutputNeedsDataKey } from './secret-types.js';

export interface SpecRule {
  /** CEL, evaluated on the spec (`self`). */
  readonly cel: string;
  /** Path of the field concerned, relative to spec (CEL `fieldPath`). */
  readonly fieldPath: string;
  readonly message: string;
  readonly reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueForbidden';
  /** The same rule on a schema-valid spec. */
  readonly holds: (spec: AkvsSpec) => boolean;
}

const celList = (items: readonly string[]): string => `[${items.map((s) => `'${s}'`).join(', ')}]`;

/** CEL: the Secret type picks its own keys for the object type (mirrors secretOutputNeedsDataKey). */
function celSecretTypeHasOwnKeys(): string {
  const parts: string[] = [];
  for (const [objectType, own] of Object.entries(SECRET_TYPES_WITH_OWN_KEYS)) {
    if (own === 'all') parts.push(`self.vault.object.type == '${objectType}'`);
    else if (own.length > 0) {
      parts.push(`(self.vault.object.type == '${objectType}' && has(self.output.secret.type) && self.output.secret.type in ${celList(own)})`);
    }
  }
  return parts.join(' || ');
}

export const AKVS_SPEC_RULES: readonly SpecRule[] = [
  {
    cel: '!has(self.output) || !(has(self.output.secret) && has(self.output.configMap))',
    fieldPath: '.output',
    message: 'set either output.secret or output.configMap, not both',
    reason: 'FieldValueInvalid',
    holds: (s) => !(s.output?.secret && s.output.configMap),
  },
  {
    cel: `!has(self.output) || !has(self.output.secret) || has(self.output.secret.dataKey) || ${celSecretTypeHasOwnKeys()}`,
    fieldPath: '.output.secret.dataKey',
    message: 'is required for Opaque (or absent) and custom Secret types; only multi-key-value-secret objects and '
      + 'Secret types with well-known keys (kubernetes.io/tls, basic-auth, dockerconfigjson, dockercfg, ssh-auth) do without',
    reason: 'FieldValueRequired',
    holds: (s) => {
      const out = s.output?.secret;
      return !out || out.dataKey !== undefined || !secretOutputNeedsDataKey(s.vault.object.type, out.type);
    },
  },
  {
    cel: "!has(self.output) || !has(self.output.configMap) || has(self.output.configMap.dataKey) || self.vault.object.type == 'multi-key-value-secret'",
    fieldPath: '.output.configMap.dataKey',
    message: 'is required unless vault.object.type is multi-key-value-secret',
    reason: 'FieldValueRequired',
    holds: (s) => !s.output?.configMap || s.output.configMap.dataKey !== undefined || s.vault.object.type === 'multi-key-value-secret',
  },
  {
    cel: "!has(self.output) || !has(self.output.transform) || size(self.output.transform) == 0 || self.vault.object.type == 'secret'",
    fieldPath: '.output.transform',
    message: 'transforms apply only to vault.object.type secret',
    reason: 'FieldValueForbidden',
    holds: (s) => (s.output?.transform?.length ?? 0) === 0 || s.vault.object.type === 'secret',
  },
  {
    cel: "!has(self.output) || !has(self.output.keyFormat) || self.vault.object.type == 'key'",
    fieldPath: '.output.keyFormat',
    message: 'applies only to vault.object.type key',
    reason: 'FieldValueForbidden',
    holds: (s) => s.output?.keyFormat === undefined || s.vault.object.type === 'key',
  },
  {
    cel: `!has(self.output) || !has(self.output.secret) || !has(self.output.secret.includeCaCert) || !self.output.secret.includeCaCert || (has(self.output.secret.type) && self.output.secret.type == '${SECRET_TYPE_TLS}' && self.vault.object.type in ['certificate', 'secret'])`,
    fieldPath: '.output.secret.includeCaCert',
    message: `applies only to Secret type ${SECRET_TYPE_TLS} of certificate or secret objects`,
    reason: 'FieldValueForbidden',
    holds: (s) => s.output?.secret?.includeCaCert !== true
      || (s.output.secret.type === SECRET_TYPE_TLS && (s.vault.object.type === 'certificate' || s.vault.object.type === 'secret')),
  },
];
