import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueLoopbackServerCert, type TestCa } from '../../../scripts/local-stack/tls.js';

export interface AdmissionWebhookServer {
  /** The webhook's URL for `path`, and the caBundle the apiserver needs to trust it. */
  clientConfig(path: string): { url: string; caBundle: string };
  close(): Promise<void>;
}

/**
 * An admission webhook on loopback HTTPS (certificate from the test CA): every AdmissionReview it receives (typed by
 * the caller as `Review`) goes to `respond`, whose answer (without `uid`) becomes the review's response.
 */
export function startAdmissionWebhook<Review extends { readonly request: { readonly uid: string } }>(
  ca: TestCa,
  respond: (review: Review) => Record<string, unknown>,
): Promise<AdmissionWebhookServer> {
  const { certPem, keyPem } = issueLoopbackServerCert(ca);
  const server: Server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const review = JSON.parse(body) as Review;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...respond(review) } }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        clientConfig: (path) => ({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, caBundle: Buffer.from(ca.certPem).toString('base64') }),
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}
