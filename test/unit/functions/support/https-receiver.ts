/**
 * A real HTTPS server on 127.0.0.1 standing in for a cluster agent's notify endpoint: TLS with a certificate from
 * a throw-away CA (scripts/local-stack/tls.ts), every request recorded, answers decided by `respond`.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOTIFICATION_HEADERS, type SignedNotification } from '../../../../core/notification/notification.js';
import { createTestCa, issueLoopbackServerCert, type TestCa } from '../../../../scripts/local-stack/tls.js';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** `hang` never answers (for timeouts). */
export type Responder = (request: ReceivedRequest) => { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface HttpsReceiver {
  readonly ca: TestCa;
  readonly url: string;
  readonly requests: ReceivedRequest[];
  respond: Responder;
  close(): Promise<void>;
}

/** `port` 0 picks a free one; give a closed receiver's port to bring "the agent" back on the same URL. */
export async function startHttpsReceiver(ca: TestCa = createTestCa(), port = 0): Promise<HttpsReceiver> {
  const { certPem, keyPem } = issueLoopbackServerCert(ca);
  const requests: ReceivedRequest[] = [];
  const receiver = { respond: (() => ({ status: 202 })) as Responder };
  const server: Server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const answer = receiver.respond(request);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    ca,
    url: `https://127.0.0.1:${bound}/v1/notifications`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The signed notification as the receiver got it: body and signature headers. */
export function signedNotificationFrom(request: ReceivedRequest): SignedNotification {
  return {
    keyId: String(request.headers[NOTIFICATION_HEADERS.keyId]),
    timestamp: Number(request.headers[NOTIFICATION_HEADERS.timestamp]),
    signature: String(request.headers[NOTIFICATION_HEADERS.signature]),
    body: request.body,
  };
}
