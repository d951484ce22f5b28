/**
 * One Function instance as a child process (fork with IPC), started cold by its parent: the first message carries
 * the app settings and the first event; the instance builds the Function's runtime from those settings exactly as
 * `functionRuntime()` does in Azure (parseFunctionsConfig → createFunctionRuntime: tables ensured, no key cached)
 * during that first invocation, and runs the real `keyVaultEvents` handler with a real InvocationContext. Further
 * messages are further events on the same, now warm, instance. Each answer carries the invocation's timings, how
 * many notifications it signed (one signing-key lookup each) and its log lines by message.
 *
 * App settings travel over IPC (a fleet's settings can be larger than one environment variable may be: 128 KiB on
 * Linux); `env` (the identity's AZURE_* variables, read by DefaultAzureCredential) is put into process.env first.
 */
import tls from 'node:tls';
import { InvocationContext } from '@azure/functions';
import { parseFunctionsConfig } from '../../functions/config.js';
import { keyVaultEventsHandler } from '../../functions/key-vault-events.js';
import { createFunctionRuntime, type FunctionRuntime } from '../../functions/runtime.js';

export type ColdInstanceMessage =
  | { readonly kind: 'start'; readonly settings: Readonly<Record<string, string>>; readonly env: Readonly<Record<string, string>>; readonly caPem?: string }
  | { readonly kind: 'event'; readonly event: unknown }
  | { readonly kind: 'exit' };

export type ColdInstanceAnswer =
  | {
      readonly ok: true;
      /** Process start → this module loaded (imports done). */
      readonly loadedMs: number;
      /** Invocation start → the runtime built (0 once the instance is warm). */
      readonly runtimeMs: number;
      /** Invocation start → the handler returned: every delivery enqueued and marked (or the event failed). */
      readonly invocationMs: number;
      /** Notifications signed: one signing-key lookup each. */
      readonly signed: number;
      /** Log lines by message (the text before its JSON fields), e.g. "notification delivered": 1000. */
      readonly logLines: Record<string, number>;
      /** The first warning or error line, if any (names and codes only, as every log line). */
      readonly firstProblem: string | undefined;
    }
  | { readonly ok: false; readonly error: string };

const loadedMs = performance.now();
let start: Extract<ColdInstanceMessage, { kind: 'start' }> | undefined;
let runtime: Promise<FunctionRuntime> | undefined;
let signed = 0;

function build(): Promise<FunctionRuntime> {
  if (!start) throw new Error('no start message');
  Object.assign(process.env, start.env);
  if (start.caPem) tls.setDefaultCACertificates([...tls.getCACertificates('default'), start.caPem]);
  return createFunctionRuntime(parseFunctionsConfig(start.settings)).then((built): FunctionRuntime => {
    const { signer } = built.routing;
    const counting: typeof signer = { sign: (cluster, notification) => (signed++, signer.sign(cluster, notification)) };
    return { ...built, routing: { ...built.routing, signer: counting } };
  });
}

async function invoke(event: unknown): Promise<ColdInstanceAnswer> {
  const started = performance.now();
  let runtimeMs = 0;
  runtime ??= build().then((r) => ((runtimeMs = performance.now() - started), r));
  signed = 0;
  const logLines: Record<string, number> = {};
  let firstProblem: string | undefined;
  const context = new InvocationContext({
    functionName: 'keyVaultEvents',
    logHandler: (level, ...args) => {
      const line = args.map(String).join(' ');
      const message = line.split(' {')[0] ?? line;
      logLines[message] = (logLines[message] ?? 0) + 1;
      if (level !== 'information' && level !== 'debug' && level !== 'trace') firstProblem ??= line;
    },
  });
  await keyVaultEventsHandler(() => runtime as Promise<FunctionRuntime>)(event, context);
  return { ok: true, loadedMs, runtimeMs, invocationMs: performance.now() - started, signed, logLines, firstProblem };
}

const fail = (error: unknown): ColdInstanceAnswer => ({ ok: false, error: error instanceof Error ? error.message : String(error) });

process.on('message', (message: ColdInstanceMessage) => {
  if (message.kind === 'start') return void (start = message);
  if (message.kind === 'exit') return void (runtime ?? Promise.resolve(undefined)).then((r) => r?.close()).finally(() => process.exit(0));
  invoke(message.event).then((answer) => process.send?.(answer), (error: unknown) => process.send?.(fail(error)));
});
process.send?.('ready');
