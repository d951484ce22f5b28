import type { AkvsSpec } from '../crd/azure-key-vault-secret.js';
import type { OutputKind } from '../crd/output-kind.js';
import { TerminalError } from '../errors.js';

/**
 * The Key Vault value being delivered: what VaultObjectStore.read returned (a secret value, or a key's public JWK),
 * minus the bookkeeping. `value` is secret: never log it or put it in an error.
 */
export type KeyVaultValue =
  | { readonly value: string; readonly contentType?: string | undefined; readonly version: string }
  | { readonly jwk: Readonly<Record<string, string>>; readonly version: string };

export interface OutputTarget {
  readonly kind: OutputKind;
  /** The Secret's type (`Opaque` when the spec has none); undefined for a ConfigMap. */
  readonly secretType: string | undefined;
  /** `output.secret.dataKey` / `output.configMap.dataKey`. */
  readonly dataKey: string | undefined;
}

export interface StrategyInput {
  readonly spec: AkvsSpec;
  readonly value: KeyVaultValue;
  readonly target: OutputTarget;
}

/** Turns one Key Vault object type's value into output entries; keys are validated by the caller. */
export type ObjectTypeStrategy = (input: StrategyInput) => [string, Buffer][];

/** The value read through the secrets API, for converters of secret-valued objects (a key has none). */
export function secretValueOf(input: StrategyInput): { readonly value: string; readonly contentType: string | undefined } {
  const v = input.value;
  if (!('value' in v)) {
    throw new TerminalError('UnsupportedObjectType', `Key Vault object '${input.spec.vault.object.name}' version ${v.version} has no secret value`);
  }
  return { value: v.value, contentType: v.contentType };
}
