/**
 * Push delivery: an HTTPS POST of an already signed notification (NotificationSigner signs it per attempt) to the
 * cluster agent's `/v1/notifications`, with a timeout, keep-alive connections per cluster, and an optional
 * per-cluster CA so a private CA is trusted without turning verification off. The agent's answer becomes an error
 * as ADR 0001's table "agent answer → Function action" says: 2xx resolves; network errors, timeouts, 408, 429, 5xx
 * and 401 `unknown-key` / `stale-timestamp` throw TransientError (a keyring update or a clock fix makes a later
 * attempt pass); any other status throws TerminalError (retrying the same notification cannot help). No redirect
 * is followed.
 */
import { Agent, request } from 'node:https';
import { TerminalError, TransientError } from '../../core/errors.js';
import { NOTIFICATION_HEADERS, type SignedNotification } from '../../core/notification/notification.js';
import { guardedLookup } from './guarded-lookup.js';
import type { NotificationSink } from '../ports/notification-sink.js';

/** Where one cluster receives pushes. */
export interface PushTarget {
  readonly name: string;
  readonly pushUrl: string;
  /** PEM CA(s) that replace the public roots for this cluster's endpoint. */
  readonly caPem: string | undefined;
}

export interface HttpsNotificationSinkOptions {
  readonly targets: readonly PushTarget[];
  readonly timeoutMs: number;
  readonly userAgent?: string;
}

/** 401 reasons a later attempt can pass: the agent's keyring gains the key, or a clock is fixed. */
const RETRYABLE_UNAUTHORIZED: Readonly<Record<string, string>> = { 'unknown-key': 'PushKeyUnknown', 'stale-timestamp': 'PushTimestampStale' };

interface PushResponse {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly snippet: string;
}

const MAX_RESPONSE_BYTES = 16 * 1024;

export class HttpsNotificationSink implements NotificationSink {
  readonly #targets: ReadonlyMap<string, PushTarget>;
  /** One keep-alive agent per cluster, endpoint and CA (a registered cluster that moves gets a new one). */
  readonly #agents = new Map<string, Agent>();
  readonly #timeoutMs: number;
  readonly #userAgent: string;

  constructor(options: HttpsNotificationSinkOptions) {
    this.#targets = new Map(options.targets.map((target) => [target.name, target]));
    this.#timeoutMs = options.timeoutMs;
    this.#userAgent = options.userAgent ?? 'akvsync-function';
  }

  /** Pushes `signed` (its body is sent byte for byte) to the configured cluster's endpoint. */
  async deliver(cluster: string, signed: SignedNotification): Promise<void> {
    const target = this.#targets.get(cluster);
    if (!target) throw new TerminalError('UnknownCluster', `no push target is configured for cluster "${cluster}"`);
    await this.deliverTo(target, signed);
  }

  /** Pushes `signed` to a target known only now (a registered cluster's endpoint, validated at registration). */
  async deliverTo(target: PushTarget, signed: SignedNotification): Promise<void> {
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(signed.body)),
      'user-agent': this.#userAgent,
      [NOTIFICATION_HEADERS.keyId]: signed.keyId,
      [NOTIFICATION_HEADERS.timestamp]: String(signed.timestamp),
      [NOTIFICATION_HEADERS.signature]: signed.signature,
    };
    classify(target.name, await this.#post(target, this.#agentFor(target), headers, signed.body));
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }

  #agentFor(target: PushTarget): Agent {
    const id = `${target.name}\n${target.pushUrl}\n${target.caPem ?? ''}`;
    let agent = this.#agents.get(id);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 16, ca: target.caPem, lookup: guardedLookup });
      this.#agents.set(id, agent);
    }
    return agent;
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
  const retryable = status === 401 ? RETRYABLE_UNAUTHORIZED[unauthorizedReason(response.snippet)] : undefined;
  if (retryable) throw new TransientError(retryable, `${detail} (retried: a keyring update or a clock fix lets it through; an operator must act)`);
  throw new TerminalError(`PushRejected${status}`, `${detail} (not retried: the same notification would be refused again)`);
}

function networkError(cluster: string, error: Error, timeoutMs: number): TransientError {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return new TransientError('PushTimeout', `push to cluster "${cluster}" timed out after ${timeoutMs} ms`, { cause: error });
  }
  const code = (error as { code?: unknown }).code;
  return new TransientError('PushNetworkError', `push to cluster "${cluster}" failed: ${typeof code === 'string' ? code : error.message}`, { cause: error });
}

/** The `reason` of the agent's 401 body `{"error":"unauthorized","reason":"…"}`, or '' when there is none. */
function unauthorizedReason(snippet: string): string {
  try {
    const reason = (JSON.parse(snippet) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason : '';
  } catch {
    return '';
  }
}

/** Retry-After as seconds (dates are not honoured: the agent sends seconds). */
function retryAfterMs(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}

/** At most 200 printable characters of an agent's answer, for the error message. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 200);
}
