/**
 * Push delivery: an HTTPS POST of the signed notification to the cluster agent's `/v1/notifications`, with a
 * timeout, keep-alive connections per cluster, and an optional per-cluster CA so a private CA is trusted
 * without turning verification off. Outcomes: 2xx resolves; network errors, timeouts, 408, 429 and 5xx throw
 * TransientError (Event Grid retries); any other status throws TerminalError (the agent refused it: retrying
 * the same notification cannot help). No redirect is followed.
 */
import { Agent, request } from 'node:https';
import { TerminalError, TransientError } from '../../core/errors.js';
import { notificationBody } from '../../core/notification/notification-body.js';
import { NOTIFICATION_HEADERS, type Notification } from '../../core/notification/notification.js';
import { signNotification, type SigningKey } from '../../core/notification/signature.js';
import type { Clock } from '../../core/ports/clock.js';
import type { NotificationSink } from '../ports/notification-sink.js';

/** Where and how one cluster receives pushes. */
export interface PushTarget {
  readonly name: string;
  readonly pushUrl: string;
  readonly signingKey: SigningKey;
  /** PEM CA(s) that replace the public roots for this cluster's endpoint. */
  readonly caPem: string | undefined;
}

export interface HttpsNotificationSinkOptions {
  readonly targets: readonly PushTarget[];
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly userAgent?: string;
}

interface PushResponse {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly snippet: string;
}

const MAX_RESPONSE_BYTES = 16 * 1024;

export class HttpsNotificationSink implements NotificationSink {
  readonly #targets: ReadonlyMap<string, { target: PushTarget; agent: Agent }>;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #userAgent: string;

  constructor(options: HttpsNotificationSinkOptions) {
    this.#targets = new Map(
      options.targets.map((target) => [target.name, { target, agent: new Agent({ keepAlive: true, maxSockets: 16, ca: target.caPem }) }]),
    );
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock;
    this.#userAgent = options.userAgent ?? 'akvsync-function';
  }

  deliver(cluster: string, notification: Notification): Promise<void> {
    return this.sendSigned(cluster, notificationBody(notification));
  }

  /** Signs `body` (already serialised, sent byte for byte) with the cluster's key and pushes it. */
  async sendSigned(cluster: string, body: string): Promise<void> {
    const entry = this.#targets.get(cluster);
    if (!entry) throw new TerminalError('UnknownCluster', `no push target is configured for cluster "${cluster}"`);
    const signed = signNotification(entry.target.signingKey, Math.floor(this.#clock.now() / 1000), body);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(signed.body)),
      'user-agent': this.#userAgent,
      [NOTIFICATION_HEADERS.keyId]: signed.keyId,
      [NOTIFICATION_HEADERS.timestamp]: String(signed.timestamp),
      [NOTIFICATION_HEADERS.signature]: signed.signature,
    };
    classify(cluster, await this.#post(entry.target, entry.agent, headers, signed.body));
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    for (const { agent } of this.#targets.values()) agent.destroy();
  }

  #post(target: PushTarget, agent: Agent, headers: Record<string, string>, body: string): Promise<PushResponse> {
    const cluster = target.name;
    return new Promise<PushResponse>((resolve, reject) => {
      const req = request(target.pushUrl, { method: 'POST', agent, headers, signal: AbortSignal.timeout(this.#timeoutMs) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter, snippet: printable(Buffer.concat(chunks).toString('utf8')) });
        });
        res.on('error', (error) => reject(networkError(cluster, error, this.#timeoutMs)));
      });
      req.on('error', (error) => reject(networkError(cluster, error, this.#timeoutMs)));
      req.end(body);
    });
  }
}

function classify(cluster: string, response: PushResponse): void {
  const { status } = response;
  if (status >= 200 && status < 300) return;
  const detail = `cluster "${cluster}" answered HTTP ${status}${response.snippet ? `: ${response.snippet}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    throw new TransientError(`PushHttp${status}`, detail, { retryAfterMs: retryAfterMs(response.retryAfter) });
  }
  throw new TerminalError(`PushRejected${status}`, `${detail} (not retried: the same notification would be refused again)`);
}

function networkError(cluster: string, error: Error, timeoutMs: number): TransientError {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return new TransientError('PushTimeout', `push to cluster "${cluster}" timed out after ${timeoutMs} ms`, { cause: error });
  }
  const code = (error as { code?: unknown }).code;
  return new TransientError('PushNetworkError', `push to cluster "${cluster}" failed: ${typeof code === 'string' ? code : error.message}`, { cause: error });
}

/** Retry-After as seconds (dates are not honoured: the agent sends seconds). */
function retryAfterMs(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}

/** At most 200 printable characters of an agent's answer, for the error message. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 200);
}
