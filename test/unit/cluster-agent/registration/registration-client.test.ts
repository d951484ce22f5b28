import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REGISTRATION_HEADERS, verifyRegistration } from '../../../../core/registry/registration-signature.js';
import { RegistrationClient } from '../../../../cluster-agent/registration/registration-client.js';
import type { RegistrationConfig } from '../../../../cluster-agent/registration/registration-config.js';
import { decideRegistrationRetry } from '../../../../cluster-agent/error-policy.js';

const OLD = Buffer.alloc(32, 1);
const NEW = Buffer.alloc(32, 2);
const SUBS = [{ vault: 'kv1', objectType: 'Secret' as const, objectName: 'db' }];
let server: Server;
let url: string;
/** Key ids the "Function" knows, and what it answers otherwise. */
let known = new Map<string, Uint8Array>([['c1-20261201t080000z', OLD]]);
let respond: ((body: string) => { status: number; body: unknown; headers?: Record<string, string> }) | undefined;
const seen: { keyId: string; nonce: string }[] = [];

const text = async (req: IncomingMessage): Promise<string> => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
};

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await text(req);
    const h = (n: string): string => String(req.headers[n] ?? '');
    const signed = { keyId: h(REGISTRATION_HEADERS.keyId), timestamp: Number(h(REGISTRATION_HEADERS.timestamp)), nonce: h(REGISTRATION_HEADERS.nonce), signature: h(REGISTRATION_HEADERS.signature), body };
    seen.push({ keyId: signed.keyId, nonce: signed.nonce });
    const custom = respond?.(body);
    const check = verifyRegistration(known, signed, Math.floor(Date.now() / 1000));
    const answer = custom ?? (check.ok ? { status: 200, body: { cluster: 'c1', delivery: 'queue', written: 1, deleted: 0, subscriptions: 1, queueName: 'akvsync-q-c1' } } : { status: 401, body: { error: check.reason } });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/clusters/c1/registration`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  respond = undefined;
  known = new Map([['c1-20261201t080000z', OLD]]);
});

const client = (keyring: Map<string, Uint8Array>): RegistrationClient => {
  const config: RegistrationConfig = { url, cluster: 'c1', delivery: 'queue', endpoint: undefined, caPem: undefined, intervalMs: 60_000, debounceMs: 1000, timeoutMs: 2000 };
  return new RegistrationClient({ config, keyring: () => keyring, clock: { now: () => Date.now() } });
};

describe('RegistrationClient', () => {
  it('signs with a fresh nonce each time and reads the answer', async () => {
    const c = client(new Map([['c1-20261201t080000z', OLD]]));
    expect(await c.register(SUBS)).toEqual({ keyId: 'c1-20261201t080000z', written: 1, deleted: 0, subscriptions: 1, queueName: 'akvsync-q-c1' });
    await c.register(SUBS);
    expect(new Set(seen.map((s) => s.nonce)).size).toBe(2);
  });

  it('during a rotation tries the newest key first, falls back to one the Function knows, then keeps using that one', async () => {
    const c = client(new Map([['c1-20261201t080000z', OLD], ['c1-20261201t090000z', NEW]]));
    expect((await c.register(SUBS)).keyId).toBe('c1-20261201t080000z');
    expect(seen.map((s) => s.keyId)).toEqual(['c1-20261201t090000z', 'c1-20261201t080000z']);
    await c.register(SUBS);
    expect(seen.at(-1)?.keyId).toBe('c1-20261201t080000z');
    known = new Map([['c1-20261201t090000z', NEW]]);
    expect((await c.register(SUBS)).keyId).toBe('c1-20261201t090000z');
  });

  it('maps refusals and failures to errors the policy decides on', async () => {
    const c = client(new Map([['other-1', NEW]]));
    const unknown = await c.register(SUBS).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ kind: 'terminal', code: 'RegistrationKeyUnknown' });
    expect(decideRegistrationRetry(unknown, 0)).toEqual({ action: 'next-heartbeat' });

    const ok = client(new Map([['c1-20261201t080000z', OLD]]));
    respond = () => ({ status: 503, body: { error: 'storage-unavailable' }, headers: { 'retry-after': '7' } });
    const busy = await ok.register(SUBS).catch((e: unknown) => e);
    expect(busy).toMatchObject({ kind: 'transient', code: 'RegistrationUnavailable', retryAfterMs: 7000 });
    expect(decideRegistrationRetry(busy, 0)).toEqual({ action: 'retry', delayMs: 7000 });
    expect(decideRegistrationRetry(busy, 10)).toEqual({ action: 'retry', delayMs: 120_000 });
    respond = () => ({ status: 400, body: { error: 'invalid-registration', problems: ['endpoint: must be an https:// URL'] } });
    await expect(ok.register(SUBS)).rejects.toMatchObject({ kind: 'terminal', code: 'RegistrationInvalid', message: expect.stringContaining('endpoint: must be an https:// URL') });
    respond = () => ({ status: 401, body: { error: 'replayed-nonce' } });
    await expect(ok.register(SUBS)).rejects.toMatchObject({ kind: 'transient', code: 'RegistrationNonceReplayed' });
    respond = () => ({ status: 404, body: { error: 'registry-off' } });
    await expect(ok.register(SUBS)).rejects.toMatchObject({ kind: 'terminal', code: 'RegistryOff' });
  });

  it('maps no answer to a transient error', async () => {
    const config: RegistrationConfig = { url: 'http://127.0.0.1:1/api/clusters/c1/registration', cluster: 'c1', delivery: 'queue', endpoint: undefined, caPem: undefined, intervalMs: 1, debounceMs: 1, timeoutMs: 1000 };
    const c = new RegistrationClient({ config, keyring: () => new Map([['k', OLD]]), clock: { now: () => Date.now() } });
    await expect(c.register(SUBS)).rejects.toMatchObject({ kind: 'transient', code: 'RegistrationUnreachable', message: expect.stringContaining('the Function could not be reached') });
  });
});
