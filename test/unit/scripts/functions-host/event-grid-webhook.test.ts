/** The webhook against the real Event Grid extension's HttpRequestProcessor behaviour (see event-grid-webhook.ts). */
import { handleEventGridWebhook, type WebhookResponse } from '../../../../scripts/functions-host/event-grid-webhook.js';

async function call(body: unknown, headers: Record<string, string>, method = 'POST'): Promise<{ response: WebhookResponse; invoked: unknown[] }> {
  const invoked: unknown[] = [];
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await handleEventGridWebhook({ method, headers, body: Buffer.from(raw) }, async (event) => {
    invoked.push(event);
    return (event as { fail?: boolean }).fail !== true;
  });
  return { response, invoked };
}

describe('Event Grid webhook (as HttpRequestProcessor)', () => {
  it('invokes once per event of an array', async () => {
    const { response, invoked } = await call([{ id: 'a' }, { id: 'b' }], { 'aeg-event-type': 'Notification' });
    expect(response.status).toBe(200);
    expect(invoked).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('wraps a single object into a one-element batch', async () => {
    const { response, invoked } = await call({ id: 'one' }, { 'aeg-event-type': 'notification' });
    expect(response.status).toBe(200);
    expect(invoked).toEqual([{ id: 'one' }]);
  });

  it('decides by aeg-event-type alone, whatever the content type', async () => {
    expect((await call({ id: 'ce' }, { 'content-type': 'application/cloudevents+json', 'aeg-event-type': 'Notification' })).invoked).toHaveLength(1);
    expect((await call({ id: 'ce' }, { 'content-type': 'application/cloudevents+json' })).response.status).toBe(400);
  });

  it('answers Unsubscribe with 202 and anything else with 400, invoking nothing', async () => {
    expect(await call('', { 'aeg-event-type': 'Unsubscribe' })).toEqual({ response: { status: 202 }, invoked: [] });
    for (const type of ['SubscriptionDeletion', 'Other']) expect((await call([{ id: 'x' }], { 'aeg-event-type': type })).response.status).toBe(400);
  });

  it.each<[string, unknown, string]>([
    ['an array: [0].data.validationCode', [{ data: { validationCode: 'A1' } }, { data: { validationCode: 'ignored' } }], 'A1'],
    ['an object: data.validationCode', { data: { validationCode: 'B2' } }, 'B2'],
    ['a CloudEvent: data JSON-encoded again', { specversion: '1.0', data: JSON.stringify({ validationCode: 'C3' }) }, 'C3'],
  ])('answers the validation handshake from %s', async (_name, body, code) => {
    const { response, invoked } = await call(body, { 'aeg-event-type': 'SubscriptionValidation' });
    expect(response).toEqual({ status: 200, body: { validationResponse: code } });
    expect(invoked).toEqual([]);
  });

  it('refuses a validation without a code, a body that is not JSON, and a scalar notification', async () => {
    expect((await call([{ data: {} }], { 'aeg-event-type': 'SubscriptionValidation' })).response.status).toBe(400);
    expect((await call('{nope', { 'aeg-event-type': 'Notification' })).response.status).toBe(400);
    expect((await call(42, { 'aeg-event-type': 'Notification' })).response.status).toBe(400);
  });

  it('answers 500 listing the failed event ids when an invocation threw, after invoking the rest', async () => {
    const { response, invoked } = await call([{ id: 'bad', fail: true }, { id: 'good' }], { 'aeg-event-type': 'Notification' });
    expect(response).toEqual({ status: 500, body: { error: '1 of 2 invocations failed', failedEventIds: ['bad'] } });
    expect(invoked).toHaveLength(2);
  });
});
