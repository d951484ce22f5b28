import { NotFoundError, TerminalError, TransientError } from '../errors.js';
import type { AkvsyncError } from '../errors.js';
import { parseRetryAfter } from '../retry-after.js';

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined }; bodyAsText?: string | null };
}

/**
 * Maps a Key Vault SDK failure (secrets or keys client, and the @azure/identity credential behind it) to our errors,
 * for the agent and for env-exec (workload-identity mode) alike: absent or disabled → NotFoundError (codes
 * `SecretNotFound` / `SecretDisabled` whatever the object kind); 429 / 5xx / 408 / network →
 * TransientError (with the server's Retry-After); a 2xx answer the SDK could not parse (cut or garbled on the way) →
 * TransientError; Entra ID refusing the token (an AuthenticationError with a 4xx) → TerminalError `TokenRefused`, a
 * token that could not be had otherwise → TransientError; other 4xx → TerminalError. The new error's message and cause carry only status,
 * a code of safe characters and the object's name: never the SDK message or a body. Those do echo data: a 200 the SDK
 * cannot parse becomes a RestError whose message holds the whole body, the secret's value included.
 */
export interface KeyVaultErrorContext {
  /** The kind of object read, for the not-found/disabled message (default `secret`). */
  readonly noun?: 'secret' | 'key';
  /** The identity that read, for the 401/403 message (default the agent's own). */
  readonly who?: string;
  /** Now (ms since the epoch), for a Retry-After given as a date. */
  readonly nowMs: number;
}

export function keyVaultError(error: unknown, what: string, context: KeyVaultErrorContext): AkvsyncError {
  const noun = context.noun ?? 'secret';
  const who = context.who ?? "the agent's identity";
  const e = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  const status = e.statusCode;
  const code = typeof e.code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(e.code) ? e.code : '';
  const inner = innerErrorCode(e);
  const cause = new Error(`${e.name ?? 'Error'} status=${status ?? 'none'} code=${code || 'none'}${inner ? ` inner=${inner}` : ''}`);
  if (e.name === 'AuthenticationError' && status !== undefined && status >= 400 && status < 500) {
    return new TerminalError('TokenRefused', `Entra ID refused the token of ${who} (${status}) reading ${what}`, { cause });
  }
  if (e.name === 'AuthenticationError' || e.name === 'AggregateAuthenticationError') {
    return new TransientError('KeyVaultAuthFailed', `getting a token to read ${what} failed`, { cause });
  }
  if (e.name === 'CredentialUnavailableError') {
    return new TerminalError('KeyVaultCredentialUnavailable', `no Azure credential is available to read ${what}`, { cause });
  }
  if (status === 404 || code === 'SecretNotFound' || code === 'KeyNotFound') {
    return new NotFoundError('SecretNotFound', `Key Vault ${noun} ${what} was not found`, { cause });
  }
  if (status === 403 && (inner === 'SecretDisabled' || inner === 'KeyDisabled' || code === 'SecretDisabled' || /disabled/i.test(e.message ?? ''))) {
    return new NotFoundError('SecretDisabled', `Key Vault ${noun} ${what} is disabled`, { cause });
  }
  if (status !== undefined && status >= 200 && status < 300) {
    return new TransientError('KeyVaultBadResponse', `Key Vault's answer to reading ${what} could not be read (${status}${code ? ` ${code}` : ''})`, { cause });
  }
  if (status === 429) {
    return new TransientError('KeyVaultThrottled', `Key Vault throttled reading ${what}`, { cause, retryAfterMs: retryAfterMs(e, context.nowMs) });
  }
  if (status !== undefined && (status >= 500 || status === 408)) {
    return new TransientError('KeyVaultUnavailable', `Key Vault answered ${status} reading ${what}`, { cause, retryAfterMs: retryAfterMs(e, context.nowMs) });
  }
  if (status === undefined || status === 0) {
    return new TransientError('KeyVaultUnreachable', `Key Vault could not be reached reading ${what}`, { cause });
  }
  if (status === 401 || status === 403) {
    return new TerminalError('KeyVaultForbidden', `${who} may not read ${what} (${status}${inner ? ` ${inner}` : code ? ` ${code}` : ''})`, { cause });
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

function retryAfterMs(e: RestErrorLike, nowMs: number): number | undefined {
  return parseRetryAfter(e.response?.headers?.get('retry-after'), nowMs);
}
