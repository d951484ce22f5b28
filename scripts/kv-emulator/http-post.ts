/**
 * POST a body to a loopback URL with node:http(s), trusting the default CAs plus the emulator's own CA
 * (so subscribers with certificates from the local CA work without changing process-wide trust).
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

export type PostJson = (url: string, body: string, headers: Record<string, string>, signal: AbortSignal) => Promise<number>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Throws unless `url` is http(s) on a loopback host: the emulator never sends events off the machine. */
export function checkLoopbackUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new Error(`Subscriber URL is not a URL: ${url}`, { cause: error });
  }
  if (!['http:', 'https:'].includes(parsed.protocol) || !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new Error(`Subscriber URL must be http(s) on 127.0.0.1, localhost or [::1]: ${url}`);
  }
  return parsed;
}

export function loopbackPoster(caPem: string, timeoutMs = 10_000): PostJson {
  return (url, body, headers, signal) =>
    new Promise<number>((resolve, reject) => {
      const target = checkLoopbackUrl(url);
      const options: https.RequestOptions = {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
        timeout: timeoutMs,
        ...(target.protocol === 'https:' ? { ca: [...tls.getCACertificates('default'), caPem] } : {}),
      };
      const request = (target.protocol === 'https:' ? https : http).request(target, options, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`POST ${url} timed out after ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
}
