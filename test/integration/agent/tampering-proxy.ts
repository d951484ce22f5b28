/**
 * An HTTPS reverse proxy for one upstream (a Key Vault emulator vault) that relays every exchange unchanged except the
 * responses `tamper` rewrites: a broken middlebox or a cut connection, between real components, in one place.
 */
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCa } from '../../../scripts/local-stack/tls.js';
import { issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';

export interface UpstreamResponse {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: Buffer;
}

export interface TamperingProxy {
  /** https://127.0.0.1:<port>; the upstream's paths work under it. */
  readonly url: string;
  /** How many responses `tamper` rewrote. */
  readonly tampered: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

async function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function relayHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/** `tamper` returns the body to send instead, or undefined to relay the upstream's body unchanged. */
export async function startTamperingProxy(upstream: string, ca: TestCa, tamper: (r: UpstreamResponse) => Buffer | undefined): Promise<TamperingProxy> {
  const target = new URL(upstream);
  const { certPem, keyPem } = issueLoopbackServerCert(ca);
  let tampered = 0;
  const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
    void (async () => {
      const requestBody = await readBody(req);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const headers = { ...relayHeaders(req.headers), 'content-length': String(requestBody.length) };
      const upstreamResponse = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const out = https.request({ hostname: target.hostname, port: target.port, method, path, headers, agent: false }, resolve);
        out.on('error', reject);
        out.end(requestBody);
      });
      const status = upstreamResponse.statusCode ?? 502;
      const body = await readBody(upstreamResponse);
      const replaced = tamper({ method, path, status, body });
      if (replaced) tampered++;
      const sent = replaced ?? body;
      res.writeHead(status, { ...relayHeaders(upstreamResponse.headers), 'content-length': String(sent.length) });
      res.end(sent);
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get tampered() {
      return tampered;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
