import { NotFoundError, TerminalError, TransientError } from '../../core/errors.js';
import type { AkvsyncError } from '../../core/errors.js';
import { parseRetryAfter } from '../error-policy.js';

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined }; bodyAsText?: string | null };
}

/**
 * Maps a Key Vault SDK failure to our errors: absent or disabled → NotFoundError; 429 / 5xx / 408 / network →
 * TransientError (with the server's Retry-After); a 2xx answer the SDK could not parse (cut or garbled on the way) →
 * TransientError; other 4xx and auth failures → TerminalError. The new error's message and cause carry only status,
 * a code of safe characters and the object's name: never the SDK message or a body. Those do echo data: a 200 the SDK
 * cannot parse becomes a RestError whose message holds the whole body, the secret's value included.
 */
export function keyVaultError(error: unknown, what: string): AkvsyncError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  const status = e.statusCode;
  const code = typeof e.code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(e.code) ? e.code : '';
  const inner = innerErrorCode(e);
  const cause = new Error(`${e.name ?? 'Error'} status=${status ?? 'none'} code=${code || 'none'}${inner ? ` inner=${inner}` : ''}`);
  if (status === 404 || code === 'SecretNotFound') {
    return new NotFoundError('SecretNotFound', `Key Vault secret ${what} was not found`, { cause });
  }
  if (status === 403 && (inner === 'SecretDisabled' || code === 'SecretDisabled' || /disabled/i.test(e.message ?? ''))) {
    return new NotFoundError('SecretDisabled', `Key Vault secret ${what} is disabled`, { cause });
  }
  if (status !== undefined && status >= 200 && status < 300) {
    return new TransientError('KeyVaultBadResponse', `Key Vault's answer to reading ${what} could not be read (${status}${code ? ` ${code}` : ''})`, { cause });
  }
  if (status === 429) {
    return new TransientError('KeyVaultThrottled', `Key Vault throttled reading ${what}`, { cause, retryAfterMs: retryAfterMs(e) });
  }
  if (status !== undefined && (status >= 500 || status === 408)) {
    return new TransientError('KeyVaultUnavailable', `Key Vault answered ${status} reading ${what}`, { cause, retryAfterMs: retryAfterMs(e) });
  }
  if (status === undefined || status === 0) {
    if (e.name === 'CredentialUnavailableError') {
      return new TerminalError('KeyVaultCredentialUnavailable', `no Azure credential is available to read ${what}`, { cause });
    }
    if (e.name === 'AuthenticationError' || e.name === 'AggregateAuthenticationError') {
      return new TransientError('KeyVaultAuthFailed', `getting a token to read ${what} failed`, { cause });
    }
    return new TransientError('KeyVaultUnreachable', `Key Vault could not be reached reading ${what}`, { cause });
  }
  if (status === 401 || status === 403) {
    return new TerminalError('KeyVaultForbidden', `the agent's identity may not read ${what} (${status}${inner ? ` ${inner}` : code ? ` ${code}` : ''})`, { cause });
  }
  return new TerminalError('KeyVaultRejected', `Key Vault refused reading ${what} (${status}${code ? ` ${code}` : ''})`, { cause });
}

function innerErrorCode(e: RestErrorLike): string | undefined {
  const text = e.response?.bodyAsText;
  if (!text || text.length > 4096) return undefined;
  try {
    const body = JSON.parse(text) as { error?: { innererror?: { code?: unknown } } };
    const code = body.error?.innererror?.code;
    return typeof code === 'string' && /^[A-Za-z]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterMs(e: RestErrorLike): number | undefined {
  return parseRetryAfter(e.response?.headers?.get('retry-after'), Date.now());
}
