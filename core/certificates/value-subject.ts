import { TerminalError } from '../errors.js';

/** Which Key Vault value a conversion failed on, by name and version only: never the value. */
export interface ValueSubject {
  readonly objectName: string;
  readonly version: string;
}

/**
 * A TerminalError naming the Key Vault object and version and saying what is wrong with its value. No `cause`:
 * parser errors (ASN.1, PEM, base64) may quote the bytes they choked on.
 */
export function invalidValue(code: string, subject: ValueSubject, what: string): TerminalError {
  return new TerminalError(code, `Key Vault object '${subject.objectName}' version ${subject.version} ${what}`);
}
