/**
 * The Function's answers to a registration, mapped to core/errors.ts classes (what happens next is the error
 * policy's decision: cluster-agent/error-policy.ts `decideRegistrationRetry`). Messages carry status codes, reason
 * codes and the Function's field problems only — never a key or a signature.
 */
import { TerminalError, TransientError, type AkvsyncError } from '../../core/errors.js';

/** The Function does not know the key id the request was signed with: try another key of the keyring. */
export const KEY_UNKNOWN = 'RegistrationKeyUnknown';

export function registrationAnswerError(status: number, body: unknown, retryAfterMs: number | undefined): AkvsyncError {
  const answer = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; problems?: unknown };
  const reason = typeof answer.error === 'string' ? answer.error.slice(0, 40) : 'none';
  if (status === 401) {
    if (reason === 'unknown-key') return new TerminalError(KEY_UNKNOWN, 'the Function does not know this cluster or its key id (onboard the cluster: npm run onboard; or list it in AKVSYNC_REGISTRY_KEYS)');
    if (reason === 'stale-timestamp') return new TransientError('RegistrationClockSkew', 'the Function refused the registration as stale: this node\'s clock is more than 300 s off');
    if (reason === 'replayed-nonce') return new TransientError('RegistrationNonceReplayed', 'the Function has seen this nonce already; a new one is used next time');
    return new TerminalError('RegistrationRefused', `the Function refused the registration's signature (${reason}): the keyring's key differs from the one the Function holds`);
  }
  if (status === 400) {
    const problems = Array.isArray(answer.problems) ? answer.problems.filter((p): p is string => typeof p === 'string').map((p) => p.slice(0, 200)).slice(0, 10) : [];
    return new TerminalError('RegistrationInvalid', `the Function refused the registration: ${problems.join('; ') || reason}`);
  }
  if (status === 404) return new TerminalError('RegistryOff', 'the Function does not serve the cluster registry (no AKVSYNC_REGISTRY_KEYS / AKVSYNC_SIGNING_KEYS_VAULT_URL), or AKVSYNC_REGISTRATION_URL is wrong');
  if (status === 408 || status === 429 || status >= 500) {
    return new TransientError('RegistrationUnavailable', `the Function answered ${status} (${reason})`, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  return new TerminalError(`RegistrationHttp${status}`, `the Function answered ${status} (${reason})`);
}

/** No answer: refused connection, DNS, TLS, timeout. */
export function registrationUnreachable(error: unknown): TransientError {
  const e = error as { name?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.name === 'string' ? e.name : 'error';
  return new TransientError('RegistrationUnreachable', `the Function could not be reached (${code.slice(0, 40)})`, { cause: error });
}
