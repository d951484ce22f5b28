import { isAlias, isMap, isScalar, parseDocument, type Document } from 'yaml';
import { TerminalError } from '../errors.js';

export type MultiKeyValueFormat = 'json' | 'yaml';

/** Says which value failed to parse, by name and version only (never the value). */
export interface MultiKeyValueSubject {
  readonly objectName: string;
  readonly version: string;
}

/** A JSON number kept as its source text, so `1.50` stays "1.50" (JSON.parse source access, Node ≥ 21). */
class JsonNumberText {
  constructor(readonly text: string) {}
}

const label = (s: MultiKeyValueSubject): string => `Key Vault secret '${s.objectName}' version ${s.version}`;

/**
 * How a message points at one key of the value: by its position, never its text. The keys come from the secret's
 * value (a key can be `password=hunter2`), and messages go to status, Events and logs.
 */
export const keyPosition = (index: number): string => `the key at position ${index + 1}`;

function invalid(subject: MultiKeyValueSubject, what: string): TerminalError {
  return new TerminalError('InvalidMultiKeyValue', `${label(subject)} ${what}`);
}

function nested(subject: MultiKeyValueSubject, index: number): TerminalError {
  return invalid(subject, `${keyPosition(index)} holds a nested object or list; a multi-key-value-secret must be a flat map of strings, numbers and booleans`);
}

function parseJson(text: string, subject: MultiKeyValueSubject): [string, string][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' ? new JsonNumberText(context?.source ?? String(value)) : value);
  } catch {
    // The parser's message quotes the input: report position-free, cause-free.
    throw invalid(subject, 'is not valid JSON (contentType application/x-json)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || parsed instanceof JsonNumberText) {
    throw invalid(subject, 'is not a JSON object of key/value pairs');
  }
  return Object.entries(parsed).map(([key, value]: [string, unknown], index) => {
    if (typeof value === 'string') return [key, value];
    if (value instanceof JsonNumberText) return [key, value.text];
    if (typeof value === 'boolean') return [key, String(value)];
    if (value === null) return [key, ''];
    throw nested(subject, index);
  });
}

function parseYaml(text: string, subject: MultiKeyValueSubject): [string, string][] {
  // failsafe: every scalar is a string, as akv2k8s' map[string]string reads them ("5432", "true").
  const doc: Document.Parsed = parseDocument(text, { schema: 'failsafe', uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    // The parser's message quotes the input: report only where (linePos).
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    throw invalid(subject, `is not valid YAML${where} (contentType application/x-yaml)`);
  }
  if (!isMap(doc.contents)) throw invalid(subject, 'is not a YAML map of key/value pairs');
  return doc.contents.items.map((pair, index): [string, string] => {
    if (!isScalar(pair.key)) throw invalid(subject, 'has a key that is not a plain string');
    const key = String(pair.key.value);
    const node = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
    if (node === null || node === undefined) return [key, ''];
    if (isScalar(node)) return [key, node.value === null || node.value === undefined ? '' : String(node.value)];
    throw nested(subject, index);
  });
}

/**
 * Parses a multi-key-value-secret into [key, value] pairs: a flat JSON object or YAML map whose values are strings,
 * numbers or booleans (kept as written) or null (empty). Errors are TerminalError `InvalidMultiKeyValue` naming the
 * object and, for nesting, the key's position — never a key or a value, and without the parser's error (which quotes the input).
 */
export function parseMultiKeyValue(text: string, format: MultiKeyValueFormat, subject: MultiKeyValueSubject): [string, string][] {
  const entries = format === 'json' ? parseJson(text, subject) : parseYaml(text, subject);
  if (entries.length === 0) throw invalid(subject, 'holds no keys; refusing to write an empty output');
  return entries;
}
