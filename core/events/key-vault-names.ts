/**
 * Shape rules for the names that travel in events and notifications. They are deliberately a little wider than
 * Azure's own rules (local emulators, future name rules) but always exclude what could break a URL, a storage key
 * or a log line: whitespace, control characters, `/ \ ? #`.
 */

/** Vault names: 3–24 characters, lower-case letters, digits and hyphens (callers lower-case first). */
const VAULT_NAME = /^[a-z0-9][a-z0-9-]{1,22}[a-z0-9]$/;
/** Object names: 1–127 characters (Azure allows `[0-9A-Za-z-]`; we accept any printable non-separator). */
const OBJECT_NAME = /^[^\s/\\?#%\p{C}]{1,127}$/u;
/** Versions are opaque ids (32 hex characters in Azure). */
const VERSION = /^[A-Za-z0-9._-]{1,64}$/;
/** Event ids: Event Grid uses GUIDs, CloudEvents any non-empty string; we take printable ASCII up to 128. */
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;
/** ISO-8601 / RFC 3339 date-time with a zone, up to 7 fractional digits (Event Grid sends 7). */
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export const isVaultName = (s: string): boolean => VAULT_NAME.test(s);
export const isObjectName = (s: string): boolean => OBJECT_NAME.test(s);
export const isVersion = (s: string): boolean => VERSION.test(s);
export const isEventId = (s: string): boolean => EVENT_ID.test(s);
export const isEventTime = (s: string): boolean => s.length <= 40 && EVENT_TIME.test(s) && !Number.isNaN(Date.parse(s));

/** A short, safe rendering of untrusted input for an error message: JSON-quoted and capped. */
export function preview(value: unknown, max = 64): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value).slice(0, max);
  if (typeof value !== 'string') return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
