/**
 * A counting HTTP reverse proxy in front of one Azurite service (Table or Queue): every request is forwarded
 * unchanged over keep-alive connections and counted by a label its `classify` function gives (method + path, e.g.
 * "registry point read"). Bodies are streamed, never kept. It counts what reaches storage, whatever client made it,
 * so a benchmark can say how many storage operations one event cost.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestClassifier = (method: string, path: string) => string;

export interface StorageRequestCounter {
  /** The proxy's base URL with the account path of the target (http://127.0.0.1:<port>/devstoreaccount1). */
  readonly url: string;
  /** Requests per label since the last reset. */
  counts(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

export async function startStorageRequestCounter(targetUrl: string, classify: RequestClassifier): Promise<StorageRequestCounter> {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const label = classify(method, path);
    counts.set(label, (counts.get(label) ?? 0) + 1);
    const upstream = http.request(
      { hostname: target.hostname, port: target.port, method, path, headers: { ...req.headers, host: target.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error.message));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    counts: () => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
    reset: () => void (counts = new Map()),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
