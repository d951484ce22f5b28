import { TerminalError } from '../../../../core/errors.js';

/** Runs `fn`, asserts it throws a TerminalError with `code`, and returns the error for further checks. */
export function thrownTerminal(fn: () => unknown, code: string): TerminalError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TerminalError);
  expect((caught as TerminalError).code).toBe(code);
  return caught as TerminalError;
}
