/**
 * Test and benchmark support: the agent's side of `POST /v1/env` as docs/env-injection.md specifies it, over HTTPS on loopback,
 * answering from a script of responses. The real endpoint (TokenReview, pod/container binding) is a later issue;
 * this stands in for it so env-exec's client side is tested against the documented contract.
 */
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { PemPair } from '../local-stack/tls.js';

export interface ContractRequest {
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly path: string | undefined;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface AgentContractServer {
  readonly url: string;
  readonly requests: ContractRequest[];
  close(): Promise<void>;
}

const bodyOf = (request: IncomingMessage): Promise<string> => new Promise((resolve) => {
  let text = '';
  request.on('data', (d: Buffer) => { text += d.toString(); });
  request.on('end', () => resolve(text));
});

export async function startAgentContractServer(tls: PemPair, answers: ScriptedAnswer[]): Promise<AgentContractServer> {
  const requests: ContractRequest[] = [];
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (request, response) => {
    void bodyOf(request).then((body) => {
      requests.push({ authorization: request.headers.authorization, contentType: request.headers['content-type'], body, path: request.url });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)] as ScriptedAnswer;
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
