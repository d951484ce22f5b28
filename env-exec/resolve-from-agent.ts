/**
 * Agent mode: `POST <agent>/v1/env` with this container's projected ServiceAccount token (audience names the
 * container). The agent checks the token (TokenReview), binds it to the pod and container, and answers only the
 * values that pod's stored spec declares for this container. Contract: docs/env-injection.md "Agent mode".
 */
import { readFile } from 'node:fs/promises';
import { TerminalError, TransientError } from '../core/errors.js';
import type { RenderedVariable } from '../core/injection/render-variable.js';
import type { EnvExecConfig } from './env-exec-config.js';
import { type RetryOptions, withRetries } from './with-retries.js';

type AgentConfig = Extract<EnvExecConfig, { auth: 'agent' }>;

const TIMEOUT_MS = 10_000;

function isAnswer(body: unknown): body is { variables: Record<string, RenderedVariable> } {
  const variables = (body as { variables?: unknown } | null)?.variables;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return false;
  return Object.values(variables).every((v) => typeof v === 'string'
    || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((k) => typeof k === 'string')));
}

async function askOnce(config: AgentConfig, token: string): Promise<Map<string, RenderedVariable>> {
  let response: Response;
  try {
    response = await fetch(`${config.agentUrl}/v1/env`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ container: config.container }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new TransientError('AgentUnreachable', `the agent at ${config.agentUrl} could not be reached`);
  }
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    await response.body?.cancel();
    throw new TransientError('AgentUnavailable', `the agent answered ${response.status}`, { retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new TerminalError('AgentRefused', `the agent refused this container's request (${response.status})`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new TransientError('AgentBadAnswer', 'the agent\'s answer was not JSON');
  }
  if (!isAnswer(body)) throw new TerminalError('AgentBadAnswer', 'the agent\'s answer has no "variables" object of strings');
  return new Map(Object.entries(body.variables));
}

export async function resolveFromAgent(config: AgentConfig, retry: RetryOptions): Promise<Map<string, RenderedVariable>> {
  let token: string;
  try {
    token = (await readFile(config.tokenFile, 'utf8')).trim();
  } catch {
    throw new TerminalError('NoToken', `the ServiceAccount token file ${config.tokenFile} cannot be read`);
  }
  return withRetries(() => askOnce(config, token), retry);
}
