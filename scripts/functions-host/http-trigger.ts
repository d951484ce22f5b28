/**
 * HTTP-triggered functions on the local host: `/api/<route>` (route defaults to the function name; `{name}`,
 * `{name?}` and `{*rest}` segments, constraints ignored), methods from the trigger (default GET and POST).
 * Requests become RpcHttpData for the app's programming model; the `$return` HTTP output comes back as the
 * response. Cookies, HTTP streaming and authLevel keys are not emulated.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpData, InvocationResponse, TypedData } from './core-types.js';
import type { FunctionDescriptor } from './worker-protocol.js';

export interface HttpRoute {
  readonly functionName: string;
  readonly bindingName: string;
  readonly methods: readonly string[];
  readonly template: readonly string[];
}

export type RouteMatch =
  | { readonly kind: 'match'; readonly route: HttpRoute; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'none' };

export function httpRoutes(functions: readonly FunctionDescriptor[]): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const fn of functions) {
    for (const [bindingName, binding] of Object.entries(fn.bindings)) {
      if (binding.type?.toLowerCase() !== 'httptrigger') continue;
      const route = typeof binding.route === 'string' && binding.route !== '' ? binding.route : fn.name;
      const methods = Array.isArray(binding.methods) ? binding.methods.map((m) => String(m).toUpperCase()) : ['GET', 'POST'];
      routes.push({ functionName: fn.name, bindingName, methods, template: segments(route) });
    }
  }
  return routes;
}

/** Matches the path below `/api/`. */
export function matchHttpRoute(routes: readonly HttpRoute[], method: string, path: string): RouteMatch {
  const parts = segments(path).map(decodeURIComponent);
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchTemplate(route.template, parts);
    if (!params) continue;
    if (route.methods.includes(method.toUpperCase())) return { kind: 'match', route, params };
    allow.push(...route.methods);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'none' };
}

function matchTemplate(template: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] ?? '';
    const p = parts[i];
    const param = /^\{(\*?)([A-Za-z_][\w]*)(?::[^}?]*)?(\??)\}$/.exec(t);
    if (!param) {
      if (p === undefined || p.toLowerCase() !== t.toLowerCase()) return undefined;
      continue;
    }
    const [, catchAll, name = '', optional] = param;
    if (catchAll) {
      params[name] = parts.slice(i).join('/');
      return params;
    }
    if (p === undefined) {
      if (optional) continue;
      return undefined;
    }
    params[name] = p;
  }
  return parts.length <= template.length ? params : undefined;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

export function toHttpTriggerData(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: Buffer,
  params: Readonly<Record<string, string>>,
): TypedData {
  const flatHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flatHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const http: HttpData = {
    method,
    url: url.href,
    headers: flatHeaders,
    query: Object.fromEntries(url.searchParams),
    params: { ...params },
    body: { bytes: new Uint8Array(body) },
  };
  return { http };
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export function fromHttpResponse(response: InvocationResponse): HttpResult {
  const http = response.returnValue?.http;
  if (!http) return { status: 204, headers: {}, body: Buffer.alloc(0) };
  const status = Number(http.statusCode ?? 200);
  return { status: Number.isInteger(status) ? status : 200, headers: { ...http.headers }, body: typedDataBytes(http.body) };
}

function typedDataBytes(data: TypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (typeof data.string === 'string') return Buffer.from(data.string);
  if (typeof data.json === 'string') return Buffer.from(data.json);
  if (typeof data.int === 'number' || typeof data.double === 'number') return Buffer.from(String(data.int ?? data.double));
  return Buffer.alloc(0);
}
