/**
 * A recording HTTPS reverse proxy for the local pipeline: it sits on one hop (Event Grid → Function, or Function →
 * agent), forwards every request unchanged and records the exact request body, headers, timings and response status.
 * The demo reads delivery times from it; the end-to-end test replays recorded Event Grid deliveries and checks that
 * no notification body carries a secret value.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCa } from '../local-stack/tls.js';
import { issueLoopbackServerCert } from '../local-stack/tls.js';

export interface RecordedExchange {
  readonly seq: number;
  readonly method: string;
  /** Path and query, as received. */
  readonly path: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string;
  /** performance.now() when the request head arrived and when the upstream response was complete. */
  readonly receivedAt: number;
  readonly respondedAt: number;
  readonly status: number;
  readonly responseBody: string;
}

export interface RecordingProxy {
  /** Base URL of the proxy (https://127.0.0.1:<port>); append the upstream's path. */
  readonly url: string;
  readonly exchanges: readonly RecordedExchange[];
  /** Emits 'exchange' (RecordedExchange) after each response has been relayed. */
  readonly events: EventEmitter;
  /** Forget what was recorded so far. */
  clear(): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function forward(target: URL, method: string, path: string, headers: Record<string, string>, body: Buffer) {
  const send = target.protocol === 'https:' ? https.request : http.request;
  const outHeaders: Record<string, string> = { 'content-length': String(body.length) };
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k)) outHeaders[k] = v;
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = send(
      { hostname: target.hostname, port: target.port, method, path, headers: outHeaders, agent: false },
      (res) => {
        readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** Starts a proxy on 127.0.0.1 (random port) in front of `target` (an http or https origin). */
export async function startRecordingProxy(options: { target: string; ca: TestCa }): Promise<RecordingProxy> {
  const target = new URL(options.target);
  const exchanges: RecordedExchange[] = [];
  const events = new EventEmitter();
  let seq = 0;
  const { certPem, keyPem } = issueLoopbackServerCert(options.ca);
  const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const receivedAt = performance.now();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const requestHeaders = flatHeaders(req.headers);
    const upstreamPath = `${target.pathname.replace(/\/$/, '')}${path}`;
    readBody(req)
      .then(async (body) => {
        const upstream = await forward(target, method, upstreamPath, requestHeaders, body);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(flatHeaders(upstream.headers))) if (!HOP_BY_HOP.has(k)) headers[k] = v;
        res.writeHead(upstream.status, headers).end(upstream.body);
        const exchange: RecordedExchange = {
          seq: ++seq,
          method,
          path,
          requestHeaders,
          requestBody: body.toString('utf8'),
          receivedAt,
          respondedAt: performance.now(),
          status: upstream.status,
          responseBody: upstream.body.toString('utf8'),
        };
        exchanges.push(exchange);
        events.emit('exchange', exchange);
      })
      .catch((e: unknown) => {
        // The proxy's only error path: answer 502 so the caller retries, and say why on stderr.
        process.stderr.write(`recording proxy: upstream ${target.origin} failed: ${(e as Error).message}\n`);
        if (!res.headersSent) res.writeHead(502).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    exchanges,
    events,
    clear: () => void exchanges.splice(0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
