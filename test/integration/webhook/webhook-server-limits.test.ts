/**
 * The webhook port against slow and oversized clients, over real TLS: a request head trickled byte by byte
 * (slowloris) and a connection that sends nothing are cut off by the server's own timeouts, an idle keep-alive
 * connection is closed, and a body over the cap is refused with 413 before it is parsed.
 */
import { connect, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createWebhookServer } from '../../../cluster-agent/webhook/webhook-server.js';
import { issueServingCertificate, issueWebhookCa } from '../../../cluster-agent/webhook-tls/webhook-certificates.js';
import { waitFor } from '../agent/agent-harness.js';

describe('webhook port limits (slowloris, body cap)', () => {
  let app: FastifyInstance;
  let port: number;
  let caPem: string;
  let decisions = 0;

  beforeAll(async () => {
    const ca = await issueWebhookCa(Date.now(), 3_600_000);
    caPem = ca.certPem;
    app = await createWebhookServer({
      tls: await issueServingCertificate(ca, ['127.0.0.1'], Date.now(), 600_000),
      admission: { decide: async () => { decisions++; return { kind: 'unchanged', reason: 'test' } as never; } },
      maxBodyBytes: 4096, logger: pino({ level: 'silent' }),
      timeouts: { headersMs: 1000, requestMs: 1000, idleMs: 3000, keepAliveMs: 500 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
  });

  const open = (): Promise<TLSSocket> => new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => resolve(socket));
    socket.on('error', reject);
  });
  const closedBy = (socket: TLSSocket): { closed: boolean; data: string } => {
    const state = { closed: false, data: '' };
    socket.on('close', () => void (state.closed = true));
    socket.on('data', (d: Buffer) => void (state.data += d.toString()));
    socket.on('error', () => undefined);
    return state;
  };

  it('closes a connection that trickles its request head (slowloris)', async () => {
    const socket = await open();
    const state = closedBy(socket);
    socket.write('POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => { if (!state.closed) socket.write('X'); }, 200);
    try {
      await waitFor('the server to close the slow connection', () => (state.closed ? true : undefined), 15_000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    expect(decisions).toBe(0);
  });

  it('closes a connection that sends nothing, and an idle keep-alive connection after its answer', async () => {
    const silent = await open();
    const silentState = closedBy(silent);
    await waitFor('the server to close the silent connection', () => (silentState.closed ? true : undefined), 15_000);

    const keepAlive = await open();
    const state = closedBy(keepAlive);
    keepAlive.write('GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor('an answer', () => (state.data.includes('HTTP/1.1 404') ? true : undefined));
    await waitFor('the idle keep-alive connection to be closed', () => (state.closed ? true : undefined), 15_000);
  });

  it('refuses a body over the cap with 413, without deciding', async () => {
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
        const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', padding: 'x'.repeat(8192) });
        socket.end(`POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      });
      let data = '';
      socket.on('data', (d: Buffer) => void (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 413/);
    expect(decisions).toBe(0);
  });
});
