/**
 * A counting HTTP reverse proxy in front of one Azurite service (Table or Queue): every request is forwarded
 * unchanged over keep-alive connections and counted by a label its `classify` function gives (method + path, e.g.
 * "registry point read"). A request that repeats an earlier one's `x-ms-client-request-id` (the Azure SDKs keep it
 * when their retry policy sends a request again) is counted under `<label> retry`, so the operations stay exact on a
 * loaded machine and the retries show. Bodies are streamed, never kept. It counts what reaches storage, whatever
 * client made it, so a benchmark can say how many storage operations one event cost.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestClassifier = (method: string, path: string) => string;

export interface StorageRequestCounter {
  /** The proxy's base URL with the account path of the target (http://127.0.0.1:<port>/devstoreaccount1). */
  readonly url: string;
  /** Requests per label since the last reset (retries under `<label> retry`). */
  counts(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

export async function startStorageRequestCounter(targetUrl: string, classify: RequestClassifier): Promise<StorageRequestCounter> {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let counts = new Map<string, number>();
  let seen = new Set<string>();
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const id = req.headers['x-ms-client-request-id'];
    const retry = typeof id === 'string' && seen.has(id);
    if (typeof id === 'string') seen.add(id);
    const label = `${classify(method, path)}${retry ? ' retry' : ''}`;
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
    reset: () => {
      counts = new Map();
      seen = new Set();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** Splits counts into operations (first sends) and SDK retries, with their totals. */
export function operationsAndRetries(counts: Readonly<Record<string, number>>): { operations: Record<string, number>; total: number; retries: number } {
  const operations: Record<string, number> = {};
  let total = 0;
  let retries = 0;
  for (const [label, n] of Object.entries(counts)) {
    if (label.endsWith(' retry')) retries += n;
    else {
      operations[label] = n;
      total += n;
    }
  }
  return { operations, total, retries };
}
