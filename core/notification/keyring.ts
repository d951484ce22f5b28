import { TerminalError } from '../errors.js';
import { decodeKeyMaterial } from './key-material.js';
import { parseJsonObject } from './parse-json-object.js';
import { KEY_ID_PATTERN, MIN_KEY_BYTES } from './signature.js';

const MAX_KEYS = 16;

const invalid = (message: string): TerminalError => new TerminalError('InvalidKeyring', message);

/**
 * Parses the agent's keyring (a mounted Secret holding `{"<keyId>": "<base64 key>", …}`; base64url is accepted too).
 * Every key is accepted when verifying, which is what lets keys rotate with overlap. Errors name the key id but never
 * contain key material, and the JSON parser's own message (which quotes input) is not passed on.
 */
export function parseKeyring(json: string): ReadonlyMap<string, Uint8Array> {
  const entries = Object.entries(parseJsonObject(json, 'keyring', invalid));
  if (entries.length === 0) throw invalid('keyring has no keys');
  if (entries.length > MAX_KEYS) throw invalid(`keyring has ${entries.length} keys, more than ${MAX_KEYS}`);
  const keyring = new Map<string, Uint8Array>();
  for (const [keyId, value] of entries) {
    if (!KEY_ID_PATTERN.test(keyId)) throw invalid(`keyring key id ${JSON.stringify(keyId.slice(0, 64))} must match ${KEY_ID_PATTERN}`);
    if (typeof value !== 'string') throw invalid(`keyring key "${keyId}" must be a base64 string`);
    const key = decodeKeyMaterial(value);
    if (key === undefined) throw invalid(`keyring key "${keyId}" is not valid base64`);
    if (key.byteLength < MIN_KEY_BYTES) {
      throw invalid(`keyring key "${keyId}" is ${key.byteLength} bytes, fewer than ${MIN_KEY_BYTES}`);
    }
    keyring.set(keyId, key);
  }
  return keyring;
}
