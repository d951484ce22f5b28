import { X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { NOTIFICATION_HEADERS, NOTIFICATION_PATH } from '../../core/notification/notification.js';
import type { SignedNotification } from '../../core/notification/notification.js';

export interface LeaderHandOffOptions {
  /** The leader's notify address (`host:port`) when another replica leads; undefined when this one leads or none is known. */
  readonly leaderAddress: () => string | undefined;
  /** The PEM certificate (chain) this replica serves; every replica mounts the same one, so it is the one to expect. */
  readonly certPem: () => string;
  readonly timeoutMs?: number;
}

export interface HandOffAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfter: string | undefined;
}

/**
 * The hand-off transport of docs/adr/0003-…: a replica that does not lead sends a notification it verified, with the
 * SAME body and signature headers, to the leader's notify endpoint and passes the leader's answer back. The leader
 * verifies and dedupes it itself (nothing is re-signed, no new trust). TLS to the leader trusts exactly the
 * certificate this replica serves (both mount one Secret): it is the only trust anchor (partial chain allowed), and
 * the peer's leaf must be it, whatever address the leader has. Undefined when no leader is known or it cannot be
 * reached: the caller answers 503 and the sender retries.
 */
export class LeaderHandOff {
  private agent: { readonly pem: string; readonly agent: Agent } | undefined;

  constructor(private readonly options: LeaderHandOffOptions) {}

  /** Whether notifications should go to another replica now. */
  get active(): boolean {
    return this.options.leaderAddress() !== undefined;
  }

  async forward(signed: SignedNotification): Promise<HandOffAnswer | undefined> {
    const address = this.options.leaderAddress();
    if (address === undefined) return undefined;
    const agent = this.agentFor(this.options.certPem());
    return new Promise((resolve) => {
      const req = request(`https://${address}${NOTIFICATION_PATH}`, {
        method: 'POST',
        agent,
        timeout: this.options.timeoutMs ?? 2_000,
        headers: {
          'content-type': 'application/json',
          [NOTIFICATION_HEADERS.keyId]: signed.keyId,
          [NOTIFICATION_HEADERS.timestamp]: String(signed.timestamp),
          [NOTIFICATION_HEADERS.signature]: signed.signature,
        },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => void (text.length < 4096 && (text += chunk)));
        res.on('end', () => {
          let body: unknown = {};
          try {
            body = JSON.parse(text);
          } catch {
            body = {};
          }
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 502, body, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined });
        });
        res.on('error', () => resolve(undefined));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
      req.end(signed.body);
    });
  }

  private agentFor(pem: string): Agent {
    if (this.agent?.pem === pem) return this.agent.agent;
    this.agent?.agent.destroy();
    const expected = new X509Certificate(pem).fingerprint256;
    const agent = new Agent({
      keepAlive: true,
      ca: pem,
      allowPartialTrustChain: true,
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        cert.fingerprint256 === expected ? undefined : new Error('the leader does not serve this replica\'s certificate'),
    });
    this.agent = { pem, agent };
    return agent;
  }

  close(): void {
    this.agent?.agent.destroy();
    this.agent = undefined;
  }
}
