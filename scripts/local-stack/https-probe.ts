/** One HTTPS GET for readiness probes, with explicit trust and an optional client certificate. */
import { request } from 'node:https';

export interface ProbeTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export function httpsGet(url: string, tls: ProbeTls, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
