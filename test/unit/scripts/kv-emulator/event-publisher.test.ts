import { newVersionEvent } from '../../../../scripts/kv-emulator/event-grid-event.js';
import { EventPublisher, type EventPublisherOptions } from '../../../../scripts/kv-emulator/event-publisher.js';
import type { PostJson } from '../../../../scripts/kv-emulator/http-post.js';

interface Call {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** A post function answering from a script of statuses (or errors), recording every call. */
function scriptedPost(script: (number | Error)[]): { post: PostJson; calls: Call[] } {
  const calls: Call[] = [];
  const post: PostJson = async (url, body, headers) => {
    calls.push({ url, body, headers });
    const next = script.shift() ?? 200;
    if (next instanceof Error) throw next;
    return next;
  };
  return { post, calls };
}

function publisher(overrides: Partial<EventPublisherOptions> & { post: PostJson }): EventPublisher {
  return new EventPublisher({ attempts: 3, baseDelayMs: 1, ...overrides });
}

const event = newVersionEvent({
  id: '11111111-1111-4111-8111-111111111111',
  vault: 'alpha',
  resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/alpha',
  eventTime: '2026-01-01T00:00:00.000Z',
  created: { objectType: 'Secret', name: 'db', version: 'a'.repeat(32), nbf: undefined, exp: undefined },
});

describe('EventPublisher', () => {
  it('POSTs a one-event array with the Event Grid headers to each subscriber, without blocking the caller', async () => {
    const { post, calls } = scriptedPost([]);
    const p = publisher({ post });
    p.subscribe('http://127.0.0.1:1/a');
    p.subscribe('https://localhost:2/b');

    p.publish(event);
    expect(p.deliveries().map((d) => d.outcome)).toEqual(['pending', 'pending']);
    const done = await p.waitForDeliveries();

    expect(calls.map((c) => c.url)).toEqual(['http://127.0.0.1:1/a', 'https://localhost:2/b']);
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual([event]);
    expect(calls[0]?.headers).toMatchObject({ 'aeg-event-type': 'Notification', 'content-type': 'application/json; charset=utf-8', 'aeg-delivery-count': '0' });
    expect(done.map((d) => d.outcome)).toEqual(['delivered', 'delivered']);
  });

  it('retries non-2xx answers and network errors, then gives up as failed without throwing', async () => {
    const { post, calls } = scriptedPost([500, new Error('ECONNREFUSED'), 204]);
    const p = publisher({ post });
    p.subscribe('http://127.0.0.1:1/a');
    p.publish(event);
    expect((await p.waitForDeliveries())[0]).toMatchObject({ outcome: 'delivered', attempts: 3, lastStatus: 204 });
    expect(calls.map((c) => c.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);

    const failing = scriptedPost([new Error('ECONNREFUSED'), 503, 400]);
    const q = publisher({ post: failing.post });
    q.subscribe('http://127.0.0.1:1/a');
    q.publish(event);
    expect((await q.waitForDeliveries())[0]).toMatchObject({ outcome: 'failed', attempts: 3, lastStatus: 400 });
  });

  it('drops events while asked to, recording them as dropped', async () => {
    const { post, calls } = scriptedPost([]);
    const p = publisher({ post });
    p.subscribe('http://127.0.0.1:1/a');
    p.dropEvents(true);
    p.publish(event);
    p.dropEvents(false);
    p.publish(event);
    const done = await p.waitForDeliveries();
    expect(done.map((d) => d.outcome)).toEqual(['dropped', 'delivered']);
    expect(calls).toHaveLength(1);
  });

  it('stops retrying when closed', async () => {
    const { post, calls } = scriptedPost([500, 500, 500]);
    const p = publisher({ post, baseDelayMs: 60_000 });
    p.subscribe('http://127.0.0.1:1/a');
    p.publish(event);
    await Promise.resolve();
    await p.close();
    expect(calls).toHaveLength(1);
    expect(p.deliveries()[0]).toMatchObject({ outcome: 'failed', attempts: 1 });
  });

  it('refuses subscribers off loopback and forgets unsubscribed ones', () => {
    const p = publisher({ post: scriptedPost([]).post });
    expect(() => p.subscribe('https://events.example.com/hook')).toThrow(/127\.0\.0\.1/);
    expect(() => p.subscribe('ftp://127.0.0.1/hook')).toThrow(/http\(s\)/);
    expect(() => p.subscribe('not a url')).toThrow(/not a URL/);
    p.subscribe('http://127.0.0.1:9/x');
    p.unsubscribe('http://127.0.0.1:9/x');
    expect(p.subscribers()).toEqual([]);
  });
});
