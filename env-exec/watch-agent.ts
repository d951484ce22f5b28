/**
 * File mode's refresh in agent mode: `POST <agent>/v1/env/watch` with the versions the last `/v1/env` answered; the
 * agent holds the request until one of this container's AzureKeyVaultSecrets synced another version (true) or its
 * long-poll timeout passed (false). Errors are thrown like the fetch's (TransientError: retry later).
 */
import { TerminalError, TransientError } from '../core/errors.js';
import { pemCertificates } from '../core/injection/pem-blocks.js';
import { type AgentConfig, type AgentVersions, post, readToken } from './resolve-from-agent.js';

/** Longer than the agent's long poll (25 s), so the agent answers first. */
const WATCH_SOCKET_TIMEOUT_MS = 40_000;

export async function watchAgent(config: AgentConfig, versions: AgentVersions): Promise<boolean> {
  const token = await readToken(config.tokenFile);
  const ca = config.extraCaPem === undefined ? undefined : pemCertificates(config.extraCaPem);
  let answer;
  try {
    answer = await post(`${config.agentUrl}/v1/env/watch`, token, JSON.stringify({ container: config.container, versions }), ca, WATCH_SOCKET_TIMEOUT_MS);
  } catch {
    throw new TransientError('AgentUnreachable', `the agent at ${config.agentUrl} could not be reached`);
  }
  if (answer.status === 429 || answer.status >= 500) throw new TransientError('AgentUnavailable', `the agent answered ${answer.status}`);
  if (answer.status !== 200) throw new TerminalError('AgentRefused', `the agent refused this container's watch (${answer.status})`);
  try {
    return (JSON.parse(answer.body) as { changed?: unknown }).changed === true;
  } catch {
    throw new TransientError('AgentBadAnswer', 'the agent\'s answer was not JSON');
  }
}
