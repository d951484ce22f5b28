/**
 * The notify port over real TLS: only the notify route and probes are served there (metrics stay on the ops port),
 * and a client that sends headers slowly (slowloris) or idles is cut off by the server's own timeouts.
 */
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createNotifyServer } from '../../../cluster-agent/http/notify-server.js';
import { NotificationIntake } from '../../../cluster-agent/intake/notification-intake.js';
import { SeenEvents } from '../../../cluster-agent/intake/seen-events.js';
import { createLogger } from '../../../cluster-agent/logger.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { getTestStack } from '../support/stack-client.js';
import { waitFor } from './agent-harness.js';

describe('agent notify server (HTTPS)', () => {
  let app: FastifyInstance;
  let port: number;
  const ca = (): string => getTestStack().ca.certPem;
  beforeAll(async () => {
    const logger = createLogger('silent');
    const clock = { now: () => Date.now() };
    const intake = new NotificationIntake({ keyring: new Map(), clock, seen: new SeenEvents(clock), isReady: () => true, accept: () => undefined, logger });
    app = await createNotifyServer({
      tls: issueLoopbackServerCert(getTestStack().ca), intake, isReady: () => true, logger,
      timeouts: { headersMs: 1000, requestMs: 1000, idleMs: 2000, keepAliveMs: 500 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = async (path: string): Promise<number> => {
    const socket = await open();
    socket.end(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const text = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d: Buffer) => void (data += d.toString()));
      socket.on('close', () => resolve(data));
    });
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  };
  const open = (): Promise<TLSSocket> => new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: ca(), servername: 'localhost' }, () => resolve(socket));
    socket.on('error', reject);
  });

  it('serves the probes but not /metrics on the notify port', async () => {
    expect(await get('/healthz')).toBe(200);
    expect(await get('/readyz')).toBe(200);
    expect(await get('/metrics')).toBe(404);
  });

  it('closes a connection whose headers never finish (slowloris), long before Node\'s 60 s default', async () => {
    const socket = await open();
    let closed = false;
    socket.on('close', () => void (closed = true));
    socket.on('error', () => undefined);
    socket.write('POST /v1/notifications HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Keep trickling a header byte now and then, as slowloris does, so the idle timeout alone would not fire.
    const trickle = setInterval(() => { if (!closed) socket.write('X'); }, 200);
    try {
      await waitFor('the server to close the slow connection', () => (closed ? true : undefined), 15_000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('closes an idle connection that sends nothing', async () => {
    const socket = await open();
    let closed = false;
    socket.on('close', () => void (closed = true));
    socket.on('error', () => undefined);
    await waitFor('the server to close the idle connection', () => (closed ? true : undefined), 15_000);
    socket.destroy();
  });
});
