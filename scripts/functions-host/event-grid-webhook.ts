/**
 * The Event Grid webhook of the Functions host (`/runtime/webhooks/EventGrid?functionName=<name>`), accepting exactly
 * what the real Event Grid WebJobs extension accepts (its `HttpRequestProcessor`): the `aeg-event-type` header alone
 * decides, whatever the content type (Event Grid sends it with CloudEvents deliveries too):
 * - `SubscriptionValidation` → `{ validationResponse: <code> }`, the code taken from `[0].data.validationCode` of an
 *   array, or from an object's `data` (in the CloudEvents case a JSON string, decoded again); the function is not invoked;
 * - `Notification` → a JSON array, or a single object wrapped into a one-element batch; the function is invoked once
 *   per event, as in Azure; 200 when every invocation succeeded, 500 (so Event Grid retries) when any threw;
 * - `Unsubscribe` → 202; anything else (or no header) → 400.
 * `OPTIONS` with `WebHook-Request-Origin` answers the CloudEvents abuse-protection handshake. Where the real host
 * answers 500 for an exception inside the extension (a body that is not JSON, a validation without a code), this
 * host answers 400 with the reason.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface WebhookRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface WebhookResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON when present. */
  readonly body?: unknown;
}

/** Invokes the function for one event; resolves false (after the host logged why) when the function threw. */
export type InvokeForEvent = (event: Readonly<Record<string, unknown>>) => Promise<boolean>;

export async function handleEventGridWebhook(request: WebhookRequest, invoke: InvokeForEvent): Promise<WebhookResponse> {
  if (request.method === 'OPTIONS') return abuseProtectionHandshake(request.headers);
  if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST, OPTIONS' }, body: { error: 'use POST (or OPTIONS for the CloudEvents handshake)' } };

  const eventType = header(request.headers, 'aeg-event-type')?.toLowerCase();
  if (eventType === 'unsubscribe') return { status: 202 };
  if (eventType !== 'subscriptionvalidation' && eventType !== 'notification') {
    return badRequest(`missing or unknown aeg-event-type header (SubscriptionValidation, Notification or Unsubscribe)`);
  }
  const parsed = parseJson(request.body);
  if (!parsed.ok) return badRequest('the body is not valid JSON');
  if (eventType === 'subscriptionvalidation') return subscriptionValidation(parsed.value);
  if (isObject(parsed.value)) return invokeEach([parsed.value], invoke);
  return isObjectArray(parsed.value) ? invokeEach(parsed.value, invoke) : badRequest('an Event Grid delivery must be a JSON array of events or one event object');
}

async function invokeEach(events: readonly Readonly<Record<string, unknown>>[], invoke: InvokeForEvent): Promise<WebhookResponse> {
  const failed: string[] = [];
  for (const event of events) {
    if (!(await invoke(event))) failed.push(typeof event.id === 'string' ? event.id : '(no id)');
  }
  if (failed.length === 0) return { status: 200 };
  return { status: 500, body: { error: `${failed.length} of ${events.length} invocations failed`, failedEventIds: failed } };
}

function subscriptionValidation(body: unknown): WebhookResponse {
  const code = validationCodeOf(body);
  if (code === undefined) return badRequest('a SubscriptionValidation delivery must carry data.validationCode (in [0] of an array, or in an object)');
  return { status: 200, body: { validationResponse: code } };
}

/** As the extension reads it: `[0].data.validationCode`, or an object's `data` (an object, or JSON text of one). */
function validationCodeOf(body: unknown): string | undefined {
  const event: unknown = Array.isArray(body) ? body[0] : body;
  if (!isObject(event)) return undefined;
  let data: unknown = event.data;
  if (!Array.isArray(body) && typeof data === 'string') {
    const decoded = parseJson(Buffer.from(data, 'utf8'));
    data = decoded.ok ? decoded.value : undefined;
  }
  const code = isObject(data) ? data.validationCode : undefined;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  return undefined;
}

function abuseProtectionHandshake(headers: IncomingHttpHeaders): WebhookResponse {
  const origin = header(headers, 'webhook-request-origin');
  if (!origin) return badRequest('OPTIONS needs a WebHook-Request-Origin header (CloudEvents abuse protection)');
  return { status: 200, headers: { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*', allow: 'POST, OPTIONS' } };
}

function badRequest(error: string): WebhookResponse {
  return { status: 400, body: { error } };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isObjectArray = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.every(isObject);
