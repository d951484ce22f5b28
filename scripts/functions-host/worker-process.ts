/**
 * The host's side of the worker: forks worker.ts with the app entry and the app settings as its environment,
 * waits until the app has registered its functions, and sends invocations over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InvocationResponse } from './core-types.js';
import type { InvocationInput } from './invoke-function.js';
import type { ErrorSummary, FunctionDescriptor, HostToWorker, WorkerLogEntry, WorkerToHost } from './worker-protocol.js';

export interface WorkerProcessOptions {
  readonly appEntry: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly onLog: (entry: WorkerLogEntry) => void;
  readonly startTimeoutMs: number;
}

/** The app threw (or the worker died) during an invocation. */
export class InvocationFailedError extends Error {
  readonly summary: ErrorSummary;
  constructor(summary: ErrorSummary) {
    super(summary.message);
    this.name = 'InvocationFailedError';
    this.summary = summary;
  }
}

const workerFile = fileURLToPath(new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export class WorkerProcess {
  readonly functions: readonly FunctionDescriptor[];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(r: InvocationResponse): void; reject(e: Error): void }>();
  #nextId = 1;
  #exited: Promise<void>;

  private constructor(child: ChildProcess, functions: readonly FunctionDescriptor[], exited: Promise<void>) {
    this.#child = child;
    this.functions = functions;
    this.#exited = exited;
    child.on('message', (message: WorkerToHost) => {
      if (message.kind !== 'result') return;
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.ok) pending?.resolve(message.response);
      else pending?.reject(new InvocationFailedError(message.error));
    });
    void exited.then(() => this.#failPending('the worker process exited'));
  }

  static async start(options: WorkerProcessOptions): Promise<WorkerProcess> {
    const needsTsx = [workerFile, options.appEntry].some((f) => /\.[cm]?ts$/.test(f));
    const execArgv = needsTsx ? ['--import', createRequire(import.meta.url).resolve('tsx')] : [];
    const child = fork(workerFile, [options.appEntry], {
      cwd: options.cwd,
      env: options.env,
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: WorkerToHost) => {
      if (message.kind === 'log') options.onLog(message.entry);
    });
    const functions = await new Promise<readonly FunctionDescriptor[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the app did not finish loading within ${options.startTimeoutMs} ms`)), options.startTimeoutMs);
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        fn();
      };
      const onMessage = (message: WorkerToHost): void => {
        if (message.kind === 'ready') settle(() => resolve(message.functions));
        else if (message.kind === 'load-failed') {
          settle(() => reject(new Error(`the app failed to load: ${message.error.message}`, { cause: new InvocationFailedError(message.error) })));
        }
      };
      child.on('message', onMessage);
      void exited.then(() => settle(() => reject(new Error(`the worker process exited (code ${child.exitCode}) before the app loaded`))));
    }).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      await exited;
      throw error;
    });
    return new WorkerProcess(child, functions, exited);
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null && this.#child.connected;
  }

  invoke(functionName: string, input: InvocationInput): Promise<InvocationResponse> {
    if (!this.running) return Promise.reject(new InvocationFailedError(workerGone('the worker process is not running')));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#send({ kind: 'invoke', id, functionName, input });
    });
  }

  /** Runs the app's appTerminate hooks and waits for the worker to exit (killed after `graceMs`). */
  async stop(graceMs = 5000): Promise<void> {
    if (this.running) this.#send({ kind: 'shutdown' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #send(message: HostToWorker): void {
    this.#child.send(message);
  }

  #failPending(reason: string): void {
    for (const pending of this.#pending.values()) pending.reject(new InvocationFailedError(workerGone(reason)));
    this.#pending.clear();
  }
}

function workerGone(message: string): ErrorSummary {
  return { name: 'WorkerExited', message, code: 'worker-exited', stack: undefined };
}
