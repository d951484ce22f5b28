/**
 * A local stand-in for the Application Insights ingestion endpoint (`<IngestionEndpoint>/v2.1/track`): HTTPS on
 * 127.0.0.1 with a certificate from the stack's CA, it accepts every batch, un-gzips it and keeps the text, so a
 * test can look at every telemetry item the Function app sent.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { issueLoopbackServerCert, type TestCa } from '../../../scripts/local-stack/tls.js';

export interface IngestionRecorder {
  /** A connection string pointing the SDK here. */
  readonly connectionString: string;
  /** Each received batch as text (one JSON envelope per line or a JSON array, as the SDK sent it). */
  readonly batches: readonly string[];
  close(): Promise<void>;
}

export async function startIngestionRecorder(ca: TestCa): Promise<IngestionRecorder> {
  const batches: string[] = [];
  const { certPem, keyPem } = issueLoopbackServerCert(ca);
  const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const text = body.toString('utf8');
      batches.push(text);
      const items = text.trim().startsWith('[') ? (JSON.parse(text) as unknown[]).length : text.split('\n').filter(Boolean).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: items, itemsAccepted: items, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: `InstrumentationKey=00000000-0000-4000-8000-0000000e2e00;IngestionEndpoint=https://127.0.0.1:${port}/`,
    batches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
