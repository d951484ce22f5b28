/**
 * The few error classes every runtime maps to an action in exactly one place
 * (the Function acknowledges or rethrows; the agent's work queue drops or requeues; the webhook answers 4xx/5xx).
 * Messages never contain secret values: build them from names, versions and codes only.
 */
export type ErrorKind = 'terminal' | 'transient' | 'not-found';

export class AkvsyncError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
  }
}

/** Bad input or configuration: retrying cannot help. */
export class TerminalError extends AkvsyncError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('terminal', code, message, options);
  }
}

/** A dependency failed in a way that may pass: retry with backoff. `retryAfterMs` honours a server's hint. */
export class TransientError extends AkvsyncError {
  readonly retryAfterMs: number | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('transient', code, message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The sentinel for "that object does not exist (or is disabled)": policy decides what it means. */
export class NotFoundError extends AkvsyncError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('not-found', code, message, options);
  }
}

export const isAkvsyncError = (e: unknown): e is AkvsyncError => e instanceof AkvsyncError;
