/**
 * Key Vault's list paging: `maxresults` 1..25 (default 25) and a `nextLink` carrying an opaque `$skiptoken`.
 * The token remembers the last key returned, so objects added between pages neither repeat nor shift a page.
 */
import { badParameter } from './kv-error.js';

export const MAX_PAGE_SIZE = 25;

export function parseMaxResults(raw: unknown): number {
  if (raw === undefined || raw === '') return MAX_PAGE_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw badParameter(`The value of maxresults must be an integer between 1 and ${MAX_PAGE_SIZE}.`);
  }
  return n;
}

export interface Page<T> {
  readonly items: T[];
  /** Undefined on the last page. */
  readonly skipToken: string | undefined;
}

/** One page of `items`, which must be sorted ascending by `keyOf`. */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, skipToken: unknown, max: number): Page<T> {
  const after = decodeToken(skipToken);
  const rest = after === undefined ? items : items.filter((item) => keyOf(item) > after);
  const page = rest.slice(0, max);
  const last = page[page.length - 1];
  return { items: page, skipToken: rest.length > max && last !== undefined ? encodeToken(keyOf(last)) : undefined };
}

export function nextLink(base: string, path: string, apiVersion: string, skipToken: string | undefined, max: number): string | null {
  if (skipToken === undefined) return null;
  const query = new URLSearchParams({ 'api-version': apiVersion, $skiptoken: skipToken, maxresults: String(max) });
  return `${base}${path}?${query.toString()}`;
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'after' in parsed && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw badParameter('The $skiptoken is invalid.');
}

type Query = Record<string, string | undefined>;

/** A list answer `{ value, nextLink }`: one page of `items` (sorted ascending by `keyOf`), each turned into JSON. */
export function listPage<T>(base: string, path: string, query: Query, items: readonly T[], keyOf: (item: T) => string, toJson: (item: T) => unknown): { value: unknown[]; nextLink: string | null } {
  const max = parseMaxResults(query.maxresults);
  const page = pageOf(items, keyOf, query.$skiptoken, max);
  return { value: page.items.map(toJson), nextLink: nextLink(base, path, query['api-version'] ?? '', page.skipToken, max) };
}

/** A versions list answer: the versions in creation order, paged like any list. */
export function versionsPage<V>(base: string, path: string, query: Query, versions: readonly V[], toJson: (version: V) => unknown): { value: unknown[]; nextLink: string | null } {
  const keyed = versions.map((record, i) => ({ key: String(i).padStart(10, '0'), record }));
  return listPage(base, path, query, keyed, (k) => k.key, (k) => toJson(k.record));
}

/** The latest version of each object, for the lists of a collection (`GET /secrets`, `/keys`, `/certificates`). */
export function latestOf<V>(entry: { readonly versions: readonly V[] }): V | undefined {
  return entry.versions[entry.versions.length - 1];
}
