/**
 * Agent mode: `POST <agent>/v1/env` with this container's projected ServiceAccount token (audience names the
 * container). The agent checks the token (TokenReview), binds it to the pod and container, and answers only the
 * values that pod's stored spec declares for this container. Contract: docs/env-injection.md "Agent mode".
 * node:https rather than fetch: fetch loads its HTTP client on first use, which costs start-up time. With an extra
 * CA configured (the agent's own CA) only that CA is trusted for the agent; else the compiled-in public roots.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { TerminalError, TransientError } from '../core/errors.js';
import { pemCertificates } from '../core/injection/pem-blocks.js';
import type { RenderedVariable } from '../core/injection/render-variable.js';
import type { EnvExecConfig } from './env-exec-config.js';
import { type RetryOptions, withRetries } from './with-retries.js';

export type AgentConfig = Extract<EnvExecConfig, { auth: 'agent' }>;

const TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** `versions` (file mode's watch): AzureKeyVaultSecret name → synced version or null; names only. */
export type AgentVersions = Record<string, string | null>;

export interface AgentAnswer {
  readonly variables: Map<string, RenderedVariable>;
  readonly versions: AgentVersions;
}

const isVersions = (v: unknown): v is AgentVersions => typeof v === 'object' && v !== null && !Array.isArray(v)
  && Object.values(v).every((x) => x === null || typeof x === 'string');

function isAnswer(body: unknown): body is { variables: Record<string, RenderedVariable>; versions?: AgentVersions } {
  const versions = (body as { versions?: unknown } | null)?.versions;
  if (versions !== undefined && !isVersions(versions)) return false;
  const variables = (body as { variables?: unknown } | null)?.variables;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return false;
  return Object.values(variables).every((v) => typeof v === 'string'
    || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((k) => typeof k === 'string')));
}

export interface RawAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

export function post(url: string, token: string, payload: string, ca: string[] | undefined, timeoutMs = TIMEOUT_MS): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      ...(ca !== undefined ? { ca } : {}),
      timeout: timeoutMs,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

async function askOnce(config: AgentConfig, token: string): Promise<AgentAnswer> {
  let answer: RawAnswer;
  try {
    answer = await post(`${config.agentUrl}/v1/env`, token, JSON.stringify({ container: config.container }), config.extraCaPem === undefined ? undefined : pemCertificates(config.extraCaPem));
  } catch {
    throw new TransientError('AgentUnreachable', `the agent at ${config.agentUrl} could not be reached`);
  }
  if (answer.status === 429 || answer.status >= 500) {
    const retryAfter = Number(answer.retryAfter);
    throw new TransientError('AgentUnavailable', `the agent answered ${answer.status}`, { retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined });
  }
  if (answer.status !== 200) throw new TerminalError('AgentRefused', `the agent refused this container's request (${answer.status})`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    throw new TransientError('AgentBadAnswer', 'the agent\'s answer was not JSON');
  }
  if (!isAnswer(body)) throw new TerminalError('AgentBadAnswer', 'the agent\'s answer has no "variables" object of strings');
  return { variables: new Map(Object.entries(body.variables)), versions: body.versions ?? {} };
}

/** The projected token, read afresh each time (the kubelet rotates it in place). */
export async function readToken(tokenFile: string): Promise<string> {
  try {
    return (await readFile(tokenFile, 'utf8')).trim();
  } catch {
    throw new TerminalError('NoToken', `the ServiceAccount token file ${tokenFile} cannot be read`);
  }
}

/** The values and the versions they come from (file mode compares the versions on its watch). */
export async function fetchFromAgent(config: AgentConfig, retry: RetryOptions): Promise<AgentAnswer> {
  const token = await readToken(config.tokenFile);
  return withRetries(() => askOnce(config, token), retry);
}

export async function resolveFromAgent(config: AgentConfig, retry: RetryOptions): Promise<Map<string, RenderedVariable>> {
  return (await fetchFromAgent(config, retry)).variables;
}
