/** Everything one emulated vault holds. */
import { CertificateState } from './certificate-state.js';
import { KeyState } from './key-state.js';
import { SecretState, type StateDeps } from './secret-state.js';

export interface VaultState {
  readonly secrets: SecretState;
  readonly keys: KeyState;
  readonly certificates: CertificateState;
}

export function createVaultState(deps: StateDeps): VaultState {
  const secrets = new SecretState(deps);
  const keys = new KeyState(deps);
  return { secrets, keys, certificates: new CertificateState(deps, secrets, keys) };
}
