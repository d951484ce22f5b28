/**
 * `env-exec files --dir <volume> [--watch]`: file mode's container. Resolves the plan (the pod's
 * `akvsync.io/inject-file-*` annotations, planned by the webhook and recomputed by the agent) the same two ways as
 * `run`, writes the files atomically (write-files.ts) and the ready marker, then:
 *  - without `--watch` (an ordinary init container): exits 0, the pod's containers start with the files in place;
 *  - with `--watch` (a native sidecar): keeps them current. Agent mode long-polls `/v1/env/watch` and fetches again
 *    when an AzureKeyVaultSecret synced a new version, and in any case every REFRESH_SECONDS (default 3600) as a
 *    safety net; workload-identity mode has no notification to wait for and reads Key Vault every REFRESH_SECONDS
 *    (default 300). A failure while watching keeps the last files (never blanks them), says its code and retries
 *    with a capped backoff.
 * Nothing here prints a value: lines name codes, files and counts.
 */
import { TerminalError, isAkvsyncError } from '../core/errors.js';
import type { RenderedVariable } from '../core/injection/render-variable.js';
import { type EnvExecConfig, readEnvExecConfig } from './env-exec-config.js';
import type { AgentVersions } from './resolve-from-agent.js';
import type { RetryOptions } from './with-retries.js';
import { isReady, markReady, writeFiles } from './write-files.js';

interface Resolved {
  readonly variables: Map<string, RenderedVariable>;
  readonly versions: AgentVersions;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_BACKOFF_MS = 60_000;

async function resolveOnce(config: EnvExecConfig, env: NodeJS.ProcessEnv, retry: RetryOptions): Promise<Resolved> {
  if (config.auth === 'agent') return (await import('./resolve-from-agent.js')).fetchFromAgent(config, retry);
  return { variables: await (await import('./resolve-from-key-vault.js')).resolveFromKeyVault(config, env, retry), versions: {} };
}

function refreshMs(config: EnvExecConfig, env: NodeJS.ProcessEnv): number {
  const text = env.AKVSYNC_ENV_EXEC_REFRESH_SECONDS;
  const seconds = text === undefined ? (config.auth === 'agent' ? 3600 : 300) : Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) throw new TerminalError('InvalidConfig', 'AKVSYNC_ENV_EXEC_REFRESH_SECONDS must be an integer from 1 to 86400');
  return seconds * 1000;
}

export async function runFiles(dir: string, watch: boolean, say: (line: string) => void): Promise<void> {
  const env = process.env;
  const config = readEnvExecConfig(env);
  const every = refreshMs(config, env);
  const retry: RetryOptions = { maxAttempts: config.maxAttempts, onRetry: (code, attempt, delayMs) => say(`${code}; retry ${attempt} in ${delayMs} ms`) };
  let current = await resolveOnce(config, env, retry);
  writeFiles(dir, config.plan, current.variables);
  markReady(dir);
  say(`wrote ${config.plan.length} file(s)`);
  if (!watch) return;

  process.on('SIGTERM', () => process.exit(0)); // PID 1 in its container: no default handler would end it
  let nextFull = Date.now() + every;
  let failures = 0;
  for (;;) {
    try {
      if (config.auth === 'agent') {
        const changed = await (await import('./watch-agent.js')).watchAgent(config, current.versions);
        if (!changed && Date.now() < nextFull) {
          failures = 0;
          continue;
        }
      } else {
        await sleep(every);
      }
      current = await resolveOnce(config, env, { maxAttempts: 1 });
      const changed = writeFiles(dir, config.plan, current.variables);
      if (changed > 0) say(`refreshed ${changed} file(s)`);
      nextFull = Date.now() + every;
      failures = 0;
    } catch (error) {
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures++);
      say(`${isAkvsyncError(error) ? error.code : 'internal error'}; keeping the last files, retry in ${delay} ms`);
      await sleep(delay);
    }
  }
}

/** `env-exec files-ready --dir <volume>`: the native sidecar's startupProbe. */
export function filesReady(dir: string): void {
  if (!isReady(dir)) throw new TerminalError('NotReady', 'the files are not written yet');
}
