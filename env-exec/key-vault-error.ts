/**
 * A Key Vault / Entra failure as one of our errors, by status only: the SDK's own message can echo a body, so it
 * never reaches ours. (cluster-agent/adapters/key-vault-errors.ts does the same for the agent; both could share one
 * pure mapping in core/ once that file moves.)
 */
import { TerminalError, TransientError, type AkvsyncError } from '../core/errors.js';

interface SdkErrorLike {
  name?: string;
  statusCode?: number;
  response?: { headers?: { get(name: string): string | undefined } };
}

export function keyVaultError(error: unknown, what: string): AkvsyncError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const status = e.statusCode;
  const retryAfter = Number(e.response?.headers?.get('retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  if (e.name === 'CredentialUnavailableError') return new TerminalError('NoWorkloadIdentity', `no workload identity is configured (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE) to read ${what}`);
  if (status === 404) return new TerminalError('SecretNotFound', `Key Vault secret ${what} was not found`);
  if (status === 401 || status === 403) return new TerminalError('KeyVaultForbidden', `this pod's identity may not read ${what} (${status})`);
  if (status === 429 || status === 408 || (status !== undefined && status >= 500)) return new TransientError('KeyVaultUnavailable', `Key Vault answered ${status} reading ${what}`, { retryAfterMs });
  if (e.name === 'AuthenticationError') {
    return status !== undefined && status >= 400 && status < 500
      ? new TerminalError('TokenRefused', `Entra ID refused this pod's federated token (${status}) reading ${what}`)
      : new TransientError('TokenUnavailable', `getting a token to read ${what} failed`);
  }
  if (status === undefined || status === 0) return new TransientError('KeyVaultUnreachable', `Key Vault could not be reached reading ${what}`);
  return new TerminalError('KeyVaultRejected', `Key Vault refused reading ${what} (${status})`);
}
