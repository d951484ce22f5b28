import { TerminalError } from '../../../../core/errors.js';

/** Runs `fn`, which must throw a TerminalError, and returns it. */
export function terminalErrorFrom(fn: () => unknown): TerminalError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TerminalError);
    return e as TerminalError;
  }
  throw new Error('expected a TerminalError');
}

/** The error says nothing of `secret`: not in its message, its string form, its JSON, its stack, nor a cause. */
export function expectNoSecretIn(error: Error, secret: string): void {
  expect(error.message).not.toContain(secret);
  expect(String(error)).not.toContain(secret);
  expect(JSON.stringify(error)).not.toContain(secret);
  expect(error.stack ?? '').not.toContain(secret);
  expect(error.cause).toBeUndefined();
}
