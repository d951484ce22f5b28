import type { AzureKeyVaultSecret } from '../crd/azure-key-vault-secret.js';
import type { OutputKind } from '../crd/output-kind.js';
import { isDataKey } from '../crd/kubernetes-names.js';
import { SECRET_TYPE_OPAQUE } from '../crd/secret-types.js';
import { validateAkvsSpec } from '../crd/validate-spec.js';
import { TerminalError } from '../errors.js';
import { dataHash } from './data-hash.js';
import { OBJECT_TYPES } from './object-types.js';
import type { KeyVaultValue, OutputTarget } from './output-strategy.js';
import { keyLabel } from './parse-multi-key-value.js';

export type { KeyVaultValue } from './output-strategy.js';

export type DesiredOutput =
  | {
    readonly kind: OutputKind;
    readonly namespace: string;
    readonly name: string;
    /** Secrets only: the Secret type (`Opaque` when the spec has none). */
    readonly secretType?: string;
    /** The complete data map. Apply it whole (server-side apply, one field manager per CR): keys absent here are pruned. */
    readonly data: Readonly<Record<string, Buffer>>;
    /** dataHash(data): what the agent records and compares to decide whether anything changed. */
    readonly dataHash: string;
  }
  | { readonly kind: 'None' };

export interface ComputeOptions {
  /** Key for the data hash (HMAC); see dataHash(). */
  readonly hashKey?: Uint8Array;
}

/** The Secret or ConfigMap a CR writes (named by its spec), or undefined when it writes none. */
export function outputTargetOf(akvs: AzureKeyVaultSecret): (OutputTarget & { name: string }) | undefined {
  const output = akvs.spec.output;
  if (output?.secret) {
    return { kind: 'Secret', name: output.secret.name, secretType: output.secret.type ?? SECRET_TYPE_OPAQUE, dataKey: output.secret.dataKey };
  }
  if (output?.configMap) return { kind: 'ConfigMap', name: output.configMap.name, secretType: undefined, dataKey: output.configMap.dataKey };
  return undefined;
}

/**
 * The Secret or ConfigMap an AzureKeyVaultSecret should produce from one Key Vault value: pure and deterministic,
 * so the agent can compare its hash with what it wrote last and write only what moved.
 * `{ kind: 'None' }` when the spec has no output (env injection only).
 * Throws TerminalError (`InvalidSpec`, `TransformFailed`, `InvalidMultiKeyValue`, `MissingContentType`,
 * `InvalidSecretFormat`, `InvalidDataKey`, `UnsupportedObjectType`); no message ever contains the value.
 */
export function computeDesiredOutput(akvs: AzureKeyVaultSecret, value: KeyVaultValue, options: ComputeOptions = {}): DesiredOutput {
  const validation = validateAkvsSpec(akvs.spec);
  if (!validation.ok) throw new TerminalError('InvalidSpec', validation.errors.join('; '));
  const spec = validation.spec;
  const target = outputTargetOf(akvs);
  if (target === undefined) return { kind: 'None' };

  const entries = OBJECT_TYPES[spec.vault.object.type].toOutput({ spec, value, target });
  for (const [key] of entries) {
    if (!isDataKey(key)) {
      throw new TerminalError('InvalidDataKey',
        `Key Vault object '${spec.vault.object.name}' version ${value.version}: key ${keyLabel(key)} is not a valid ${target.kind} key ([-._a-zA-Z0-9]+)`);
    }
  }
  // fromEntries defines own properties, so a key such as "__proto__" is data, not a prototype.
  const data: Readonly<Record<string, Buffer>> = Object.freeze(Object.fromEntries(entries));
  return {
    kind: target.kind,
    namespace: akvs.metadata.namespace,
    name: target.name,
    ...(target.kind === 'Secret' ? { secretType: target.secretType } : {}),
    data,
    dataHash: dataHash(data, options.hashKey),
  };
}
