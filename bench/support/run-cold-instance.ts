/**
 * Starts one cold Function instance (bench/support/cold-function-instance.ts, compiled to plain JavaScript) as a
 * fresh Node process, hands it the settings and one event, and returns its answer. Nothing is shared between two
 * calls: every one is a new process with empty caches, as a newly scaled-out instance in Azure.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColdInstanceAnswer, ColdInstanceRequest } from './cold-function-instance.js';
import { compileForBench } from './compile-for-bench.js';

const here = dirname(fileURLToPath(import.meta.url));

export type ColdInstanceResult = Extract<ColdInstanceAnswer, { ok: true }>;

/** Compiles the instance once; the returned function runs a fresh process per call. */
export async function coldInstanceRunner(): Promise<(request: ColdInstanceRequest) => Promise<ColdInstanceResult>> {
  const entry = await compileForBench(join(here, 'cold-function-instance.ts'), { external: true });
  return (request) =>
    new Promise((resolve, reject) => {
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const child = fork(entry, [], { execArgv: [], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let answered = false;
      child.on('message', (message: 'ready' | ColdInstanceAnswer) => {
        if (message === 'ready') return void child.send(request);
        answered = true;
        if (message.ok) resolve(message);
        else reject(new Error(`cold Function instance failed: ${message.error}`));
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (!answered) reject(new Error(`cold Function instance exited (${code ?? signal}) without an answer`));
      });
    });
}
