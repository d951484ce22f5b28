import { isPlainObject, normalisedFields } from './event-envelope.js';

const VALIDATION_EVENT = 'microsoft.eventgrid.subscriptionvalidationevent';

/**
 * The `validationCode` of Event Grid's `Microsoft.EventGrid.SubscriptionValidationEvent` handshake (Event Grid
 * schema, single object or batch), or undefined when the body is not such a handshake. The endpoint answers
 * `{ "validationResponse": <code> }`. CloudEvents endpoints use an HTTP OPTIONS handshake instead, not a body.
 */
export function subscriptionValidationCode(body: unknown): string | undefined {
  const items: readonly unknown[] = Array.isArray(body) ? body : [body];
  for (const item of items) {
    if (!isPlainObject(item)) continue;
    const fields = normalisedFields(item);
    const type = fields.get('eventtype');
    const data = fields.get('data');
    if (typeof type !== 'string' || type.trim().toLowerCase() !== VALIDATION_EVENT || !isPlainObject(data)) continue;
    const code = normalisedFields(data).get('validationcode');
    if (typeof code === 'string' && code.trim() !== '' && code.length <= 256) return code.trim();
  }
  return undefined;
}
