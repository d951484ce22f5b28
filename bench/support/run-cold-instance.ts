/**
 * Starts Function instances (bench/support/cold-function-instance.ts, compiled to plain JavaScript) as fresh Node
 * processes: nothing is shared between two instances, each starts with empty caches, as a newly scaled-out instance
 * in Azure. The first event an instance handles is its cold one; later events find it warm.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColdInstanceAnswer, ColdInstanceMessage } from './cold-function-instance.js';
import { compileForBench } from './compile-for-bench.js';

const here = dirname(fileURLToPath(import.meta.url));

export type InvocationResult = Extract<ColdInstanceAnswer, { ok: true }>;

export interface FunctionInstance {
  invoke(event: unknown): Promise<InvocationResult>;
  close(): Promise<void>;
}

export type InstanceStart = Omit<Extract<ColdInstanceMessage, { kind: 'start' }>, 'kind'>;

/** Compiles the instance once; the returned function starts a fresh process per call. */
export async function functionInstanceStarter(): Promise<(start: InstanceStart) => Promise<FunctionInstance>> {
  const entry = await compileForBench(join(here, 'cold-function-instance.ts'), { external: true });
  return async (start) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = fork(entry, [], { execArgv: [], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let waiting: { resolve: (answer: ColdInstanceAnswer) => void; reject: (error: Error) => void } | undefined;
    child.on('message', (message: 'ready' | ColdInstanceAnswer) => {
      if (message !== 'ready') waiting?.resolve(message);
    });
    child.once('exit', (code, signal) => waiting?.reject(new Error(`Function instance exited (${code ?? signal})`)));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('error', reject);
    });
    child.send({ kind: 'start', ...start } satisfies ColdInstanceMessage);
    return {
      invoke: (event) =>
        new Promise<ColdInstanceAnswer>((resolve, reject) => {
          waiting = { resolve, reject };
          child.send({ kind: 'event', event } satisfies ColdInstanceMessage);
        }).then((answer) => {
          if (!answer.ok) throw new Error(`Function instance failed: ${answer.error}`);
          return answer;
        }),
      close: async () => {
        child.send({ kind: 'exit' } satisfies ColdInstanceMessage);
        await exited;
      },
    };
  };
}
