/**
 * Replaces this process with the original program (execve: same PID, no wrapper left), looking the command up in
 * the program's own PATH the way execvp does. Throws TerminalError naming the command (never its arguments).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { TerminalError } from '../core/errors.js';

/** containerd/CRI-O's default when the image sets no PATH. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findExecutable(command: string, pathVar: string | undefined): string {
  if (command.includes('/')) {
    if (!executable(command)) throw new TerminalError('CommandNotFound', `the original command ${JSON.stringify(command)} is not an executable file`);
    return command;
  }
  for (const dir of (pathVar ?? DEFAULT_PATH).split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${command}`;
    if (executable(candidate)) return candidate;
  }
  throw new TerminalError('CommandNotFound', `the original command ${JSON.stringify(command)} was not found in PATH`);
}

/**
 * Node switches a stdio pipe to non-blocking mode when anything opens process.stdin/stdout/stderr (a library's
 * logger, a warning), and process.execve keeps the flag: the program would get EAGAIN on its own stdio. Container
 * runtimes hand out blocking stdio, so set it back (libuv's uv_stream_set_blocking; no public Node API does this).
 */
function restoreBlockingStdio(): void {
  for (const stream of [process.stdin, process.stdout, process.stderr]) {
    (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle?.setBlocking?.(true);
  }
}

export function execOriginal(argv: readonly string[], env: Record<string, string>): never {
  const [command] = argv;
  if (command === undefined) throw new TerminalError('NoCommand', 'no original command was given after --');
  const file = findExecutable(command, env.PATH);
  const execve = process.execve;
  if (execve === undefined) throw new TerminalError('ExecFailed', `this Node runtime (${process.version}) has no process.execve`);
  restoreBlockingStdio();
  try {
    execve.call(process, file, [...argv], env);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TerminalError('ExecFailed', `execve of ${JSON.stringify(command)} failed${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  throw new TerminalError('ExecFailed', `execve of ${JSON.stringify(command)} returned`);
}
