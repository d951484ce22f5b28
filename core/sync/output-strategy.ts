import type { AkvsSpec } from '../crd/azure-key-vault-secret.js';

/** The Key Vault value being delivered. `value` is secret: never log it or put it in an error. */
export interface KeyVaultValue {
  readonly value: string;
  readonly contentType?: string | undefined;
  readonly version: string;
}

export interface OutputTarget {
  readonly kind: 'Secret' | 'ConfigMap';
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
