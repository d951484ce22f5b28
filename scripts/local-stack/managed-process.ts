/**
 * A child process of the local stack: its own process group (so stopping it stops anything it forked),
 * stdout+stderr appended to a log file, tracked by the process registry until it is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { signalGroup, trackChild, untrackChild } from './process-registry.js';

export interface ManagedProcessOptions {
  /** Short name for messages, e.g. "etcd". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** An argv element that identifies the process in /proc/<pid>/cmdline (default: the command). */
  readonly match?: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  readonly #child: ChildProcess;
  #status: ExitStatus | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(name: string, child: ChildProcess, pid: number, logFile: string, exited: Promise<ExitStatus>) {
    this.name = name;
    this.#child = child;
    this.pid = pid;
    this.logFile = logFile;
    this.exited = exited.then((status) => {
      this.#status = status;
      untrackChild(pid);
      return status;
    });
  }

  /** Spawns the process; throws if it cannot be spawned at all (e.g. the binary is missing). */
  static start(options: ManagedProcessOptions): ManagedProcess {
    const log = openSync(options.logFile, 'a', 0o600);
    try {
      const child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      const exited = new Promise<ExitStatus>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', () => resolve({ code: null, signal: null }));
      });
      if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
      child.unref();
      trackChild(child.pid, options.match ?? options.command);
      return new ManagedProcess(options.name, child, child.pid, options.logFile, exited);
    } finally {
      closeSync(log);
    }
  }

  /** The exit status once the process has exited, else undefined. */
  get exitStatus(): ExitStatus | undefined {
    return this.#status;
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs = 3000): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#status === undefined) {
        this.#child.ref(); // keep this process alive until the child's exit has been seen
        signalGroup(this.pid, 'SIGTERM');
        const grace = new AbortController();
        const timedOut = delay(graceMs, true, { signal: grace.signal }).catch(() => false);
        const killNow = await Promise.race([this.exited.then(() => false), timedOut]);
        grace.abort();
        if (killNow) signalGroup(this.pid, 'SIGKILL');
        await this.exited;
      }
      signalGroup(this.pid, 'SIGKILL'); // anything the leader left behind in its group
    })();
    return this.#stopping;
  }

  /** The last lines of the log file, for error messages. */
  logTail(maxLines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-maxLines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** An error that says what failed and shows the end of the process's log. */
  failure(what: string): Error {
    const status = this.#status ? ` (exited with ${this.#status.signal ?? this.#status.code})` : '';
    return new Error(`${this.name} ${what}${status}; last lines of ${this.logFile}:\n${this.logTail()}`);
  }
}
