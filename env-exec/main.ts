/**
 * env-exec: `env-exec run -- <original argv…>` resolves this container's <name>@azurekeyvault placeholders and
 * execve()s the original program with the values in its environment (same PID, nothing left running, env-exec's
 * configuration removed); `env-exec install --to <dir> --sha256 <digest>` is the install init container's step;
 * `env-exec files --dir <dir> [--watch]` writes file mode's files (and keeps them current), `files-ready` probes them.
 * Failures exit 1 with one line naming what failed: never a value, never an argument.
 * CA roots: the Mozilla set compiled into its Node runtime (the image's own roots are never read: scratch and
 * distroless/static have none), plus AKVSYNC_ENV_EXEC_EXTRA_CA where the configuration gives one.
 */
import { writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAkvsyncError, TerminalError } from '../core/errors.js';
import { composeEnvironment } from '../core/injection/compose-environment.js';
import { readEnvExecConfig } from './env-exec-config.js';
import { execOriginal } from './exec-original.js';

/**
 * env-exec's only output: straight to fd 2 with write(2). process.stderr is never touched, because Node would switch
 * the pipe the container runtime gave us to non-blocking mode, and the original program inherits that after execve.
 */
const say = (line: string): void => {
  writeSync(2, `env-exec: ${line}\n`);
};

/** The one place a failure becomes an exit: code and message only (our messages carry names, never values). */
function fail(error: unknown): never {
  say(isAkvsyncError(error) ? `${error.code}: ${error.message}` : `internal error (${(error as Error | undefined)?.name ?? 'unknown'})`);
  process.exit(1);
}

async function run(originalArgv: string[]): Promise<never> {
  const env = { ...process.env };
  const config = readEnvExecConfig(env);
  const retry = {
    maxAttempts: config.maxAttempts,
    onRetry: (code: string, attempt: number, delayMs: number) => say(`${code}; retry ${attempt} in ${delayMs} ms`),
  };
  // Loaded on demand: the Azure SDKs cost start-up time that agent mode (and a container without placeholders) never needs.
  const rendered = config.plan.length === 0 ? new Map()
    : config.auth === 'agent' ? await (await import('./resolve-from-agent.js')).resolveFromAgent(config, retry)
      : await (await import('./resolve-from-key-vault.js')).resolveFromKeyVault(config, env, retry);
  return execOriginal(originalArgv, composeEnvironment(env, config.plan, rendered));
}

async function install(args: string[]): Promise<void> {
  const { installEnvExec } = await import('./install-env-exec.js');
  installEnvExec(dirname(process.execPath), option(args, '--to'), option(args, '--sha256'));
}

function option(args: string[], name: string): string {
  const i = args.indexOf(name);
  const value = i >= 0 ? args[i + 1] : undefined;
  if (value === undefined) throw new TerminalError('Usage', `${name} is required`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const [subcommand, ...rest] = argv;
  if (subcommand === 'run' && rest[0] === '--') await run(rest.slice(1));
  else if (subcommand === 'install') await install(rest);
  else if (subcommand === 'files') await (await import('./files-mode.js')).runFiles(option(rest, '--dir'), rest.includes('--watch'), say);
  else if (subcommand === 'files-ready') (await import('./files-mode.js')).filesReady(option(rest, '--dir'));
  else throw new TerminalError('Usage', 'usage: env-exec run -- <command> [args…] | env-exec install --to <dir> --sha256 <digest> | env-exec files --dir <dir> [--watch] | env-exec files-ready --dir <dir>');
}

// A single executable sees its own path again as argv[1] (as `node script` does), so arguments start at 2.
main(process.argv.slice(2)).catch(fail);
