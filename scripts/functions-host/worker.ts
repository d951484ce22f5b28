/**
 * The worker process of the local Functions host: provides `@azure/functions-core` to the app through a
 * module-resolution hook (for both `import` and the CommonJS `require` inside `@azure/functions`), loads the
 * app entry so its own `app.*` calls register the functions, then runs invocations the host sends over IPC.
 * Usage (by host.ts only): node --import tsx worker.ts <app entry path>
 */
import { registerHooks } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { InvocationInput } from './invoke-function.js';
import { invokeRegisteredFunction } from './invoke-function.js';
import { summariseError, type FunctionDescriptor, type HostToWorker, type WorkerLogEntry, type WorkerToHost } from './worker-protocol.js';
import { workerRegistry } from './worker-registry.js';

const CORE_MODULE = '@azure/functions-core';
const coreModuleUrl = new URL(`./functions-core${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

function send(message: WorkerToHost): void {
  process.send?.(message);
}

function sendLog(entry: Omit<WorkerLogEntry, 'functionName' | 'invocationId'> & Partial<WorkerLogEntry>): void {
  send({ kind: 'log', entry: { functionName: undefined, invocationId: undefined, ...entry } });
}

function provideFunctionsCore(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === CORE_MODULE) return { url: coreModuleUrl, format: 'module', shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
  workerRegistry.logSink = (level, category, message) => sendLog({ level, category, message });
}

const appHookData: Record<string, unknown> = {};

async function invoke(id: number, functionName: string, input: InvocationInput): Promise<void> {
  const fn = workerRegistry.find(functionName);
  if (!fn) {
    send({ kind: 'result', id, ok: false, error: summariseError(new Error(`no function named "${functionName}"`)) });
    return;
  }
  const log = (level: WorkerLogEntry['level'], category: WorkerLogEntry['category'], message: string): void =>
    sendLog({ level, category, message, functionName: fn.metadata.name, invocationId: input.invocationId });
  try {
    const response = await invokeRegisteredFunction(workerRegistry, fn, input, appHookData, log);
    send({ kind: 'result', id, ok: true, response });
  } catch (error) {
    send({ kind: 'result', id, ok: false, error: summariseError(error) });
  }
}

async function runAppHooks(name: 'appStart' | 'appTerminate'): Promise<void> {
  const context = name === 'appStart' ? { hookData: {}, appHookData, functionAppDirectory: process.cwd() } : { hookData: {}, appHookData };
  for (const hook of workerRegistry.hooks(name)) await hook(context);
}

async function main(appEntry: string): Promise<void> {
  provideFunctionsCore();
  try {
    await import(pathToFileURL(appEntry).href);
    workerRegistry.lock();
    await runAppHooks('appStart');
  } catch (error) {
    send({ kind: 'load-failed', error: summariseError(error) });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  const functions: FunctionDescriptor[] = workerRegistry.functions.map((f) => ({
    name: f.metadata.name,
    bindings: JSON.parse(JSON.stringify(f.metadata.bindings)) as FunctionDescriptor['bindings'],
  }));
  send({ kind: 'ready', functions });
  process.on('message', (message: HostToWorker) => {
    if (message.kind === 'invoke') void invoke(message.id, message.functionName, message.input);
    else if (message.kind === 'shutdown') {
      void runAppHooks('appTerminate')
        .catch((error: unknown) => sendLog({ level: 'error', category: 'system', message: `appTerminate hook failed: ${summariseError(error).message}` }))
        .finally(() => process.disconnect?.());
    }
  });
}

const appEntry = process.argv[2];
if (!appEntry) throw new Error('usage: worker.ts <app entry path>');
process.on('disconnect', () => process.exit());
await main(appEntry);
