/** One client's Key Vault calls and token requests as the emulator counted them (401 challenges left out). */
import type { KeyVaultEmulator } from '../../scripts/kv-emulator/emulator.js';

export interface ClientCalls {
  /** Authenticated requests to the vault. */
  readonly vaultCalls: number;
  /** Token requests at the authority (v1 and v2.0 endpoints). */
  readonly tokenRequests: number;
}

export function clientCalls(emulator: KeyVaultEmulator, clientId: string, vault: string): ClientCalls {
  return {
    vaultCalls: emulator.requestCount({ clientId, vault }),
    tokenRequests: emulator.requestCount({ clientId, operation: 'token' }),
  };
}

export function callsSince(before: ClientCalls, after: ClientCalls): ClientCalls {
  return { vaultCalls: after.vaultCalls - before.vaultCalls, tokenRequests: after.tokenRequests - before.tokenRequests };
}

export function perHour(calls: ClientCalls, windowMs: number): ClientCalls {
  const scale = 3_600_000 / windowMs;
  return { vaultCalls: Math.round(calls.vaultCalls * scale), tokenRequests: Math.round(calls.tokenRequests * scale) };
}
