/**
 * The Event Grid webhook of the Functions host (`/runtime/webhooks/EventGrid?functionName=<name>`), emulated:
 * - `aeg-event-type: SubscriptionValidation` → `{ validationResponse: <code> }` (the handshake Event Grid does
 *   when a subscription is created);
 * - `aeg-event-type: Notification` with an Event Grid schema array, or CloudEvents 1.0 (`application/
 *   cloudevents+json` single, `application/cloudevents-batch+json` batch) → the function is invoked once per
 *   event, as in Azure; 200 when every invocation succeeded, 500 (so Event Grid retries) when any threw;
 * - `OPTIONS` with `WebHook-Request-Origin` → the CloudEvents abuse-protection handshake.
 * The function never sees handshakes; malformed requests (not JSON, not the expected shape) get 400.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { subscriptionValidationCode } from '../../core/events/subscription-validation.js';

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

  const mediaType = (header(request.headers, 'content-type') ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  const parsed = parseJson(request.body);
  if (!parsed.ok) return badRequest('the body is not valid JSON');

  if (mediaType === 'application/cloudevents+json') {
    return isObject(parsed.value) ? invokeEach([parsed.value], invoke) : badRequest('a structured CloudEvent must be a JSON object');
  }
  if (mediaType === 'application/cloudevents-batch+json') {
    return isObjectArray(parsed.value) ? invokeEach(parsed.value, invoke) : badRequest('a CloudEvents batch must be a JSON array of objects');
  }

  const eventType = header(request.headers, 'aeg-event-type');
  switch (eventType?.toLowerCase()) {
    case 'subscriptionvalidation':
      return subscriptionValidation(parsed.value);
    case 'notification':
      return isObjectArray(parsed.value) ? invokeEach(parsed.value, invoke) : badRequest('an Event Grid delivery must be a JSON array of event objects');
    case 'subscriptiondeletion':
      return { status: 200 };
    default:
      return badRequest(`missing or unknown aeg-event-type header${eventType ? ` "${eventType}"` : ''}`);
  }
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
  const code = subscriptionValidationCode(body);
  if (code === undefined) return badRequest('a SubscriptionValidation delivery must carry a Microsoft.EventGrid.SubscriptionValidationEvent with data.validationCode');
  return { status: 200, body: { validationResponse: code } };
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
