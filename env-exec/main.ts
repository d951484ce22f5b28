/**
 * env-exec: `env-exec run -- <original argv…>` resolves this container's <name>@azurekeyvault placeholders and
 * execve()s the original program with the values in its environment (same PID, nothing left running, env-exec's
 * configuration removed); `env-exec install --to <dir> --sha256 <digest>` is the install init container's step.
 * Failures exit 1 with one line naming what failed: never a value, never an argument.
 */
import { dirname } from 'node:path';
import { isAkvsyncError, TerminalError } from '../core/errors.js';
import { composeEnvironment } from '../core/injection/compose-environment.js';
import { readEnvExecConfig } from './env-exec-config.js';
import { execOriginal } from './exec-original.js';
import { installEnvExec } from './install-env-exec.js';
import { resolveFromAgent } from './resolve-from-agent.js';
import { resolveFromKeyVault } from './resolve-from-key-vault.js';
import { trustRoots } from './trust-roots.js';

/** The one place a failure becomes an exit: code and message only (our messages carry names, never values). */
function fail(error: unknown): never {
  const line = isAkvsyncError(error) ? `${error.code}: ${error.message}` : `internal error (${(error as Error | undefined)?.name ?? 'unknown'})`;
  process.stderr.write(`env-exec: ${line}\n`);
  process.exit(1);
}

async function run(originalArgv: string[]): Promise<never> {
  const env = { ...process.env };
  const config = readEnvExecConfig(env);
  trustRoots(config.extraCaPem);
  const retry = {
    maxAttempts: config.maxAttempts,
    onRetry: (code: string, attempt: number, delayMs: number) => process.stderr.write(`env-exec: ${code}; retry ${attempt} in ${delayMs} ms\n`),
  };
  const rendered = config.plan.length === 0 ? new Map()
    : config.auth === 'agent' ? await resolveFromAgent(config, retry) : await resolveFromKeyVault(config, env, retry);
  return execOriginal(originalArgv, composeEnvironment(env, config.plan, rendered));
}

function install(args: string[]): void {
  const option = (name: string): string => {
    const i = args.indexOf(name);
    const value = i >= 0 ? args[i + 1] : undefined;
    if (value === undefined) throw new TerminalError('Usage', `install needs ${name}`);
    return value;
  };
  installEnvExec(dirname(process.execPath), option('--to'), option('--sha256'));
}

async function main(argv: string[]): Promise<void> {
  const [subcommand, ...rest] = argv;
  if (subcommand === 'run' && rest[0] === '--') await run(rest.slice(1));
  else if (subcommand === 'install') install(rest);
  else throw new TerminalError('Usage', 'usage: env-exec run -- <command> [args…] | env-exec install --to <dir> --sha256 <digest>');
}

// A single executable sees its own path again as argv[1] (as `node script` does), so arguments start at 2.
main(process.argv.slice(2)).catch(fail);
