/**
 * One cold Function instance, as a child process (fork with IPC): it gets the app settings and one Event Grid
 * delivery from its parent, builds the Function's runtime from those settings exactly as `functionRuntime()` does
 * in Azure (parseFunctionsConfig → createFunctionRuntime: tables ensured, nothing cached yet) and runs the real
 * `keyVaultEvents` handler once, with a real InvocationContext. It answers with its timings and how many
 * notifications it signed (each signature is one signing-key lookup), then exits. Settings travel over IPC, not the
 * environment: a fleet's settings can be larger than one environment variable may be (128 KiB on Linux).
 *
 * Parent → child: ColdInstanceRequest. Child → parent: ColdInstanceAnswer.
 */
import { InvocationContext } from '@azure/functions';
import { parseFunctionsConfig } from '../../functions/config.js';
import { keyVaultEventsHandler } from '../../functions/key-vault-events.js';
import { createFunctionRuntime, type FunctionRuntime } from '../../functions/runtime.js';
import tls from 'node:tls';

export interface ColdInstanceRequest {
  readonly settings: Readonly<Record<string, string>>;
  /** Extra CA to trust (the Key Vault emulator's), PEM. */
  readonly caPem?: string;
  /** The Event Grid delivery, as the trigger hands it over (one event). */
  readonly event: unknown;
}

export type ColdInstanceAnswer =
  | {
      readonly ok: true;
      /** Process start → this module loaded and listening (imports done). */
      readonly loadedMs: number;
      /** Invocation start → the runtime built (first invocation of an instance builds it). */
      readonly runtimeMs: number;
      /** Invocation start → the handler returned: every delivery is enqueued (or the event failed). */
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

async function handle(request: ColdInstanceRequest): Promise<ColdInstanceAnswer> {
  if (request.caPem) tls.setDefaultCACertificates([...tls.getCACertificates('default'), request.caPem]);
  const started = performance.now();
  let runtimeMs = 0;
  let signed = 0;
  const built = createFunctionRuntime(parseFunctionsConfig(request.settings)).then((runtime): FunctionRuntime => {
    runtimeMs = performance.now() - started;
    const { signer } = runtime.routing;
    const counting: typeof signer = { sign: (cluster, notification) => (signed++, signer.sign(cluster, notification)) };
    return { ...runtime, routing: { ...runtime.routing, signer: counting } };
  });
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
  await keyVaultEventsHandler(() => built)(request.event, context);
  const invocationMs = performance.now() - started;
  await (await built).close();
  return { ok: true, loadedMs, runtimeMs, invocationMs, signed, logLines, firstProblem };
}

process.once('message', (request: ColdInstanceRequest) => {
  handle(request).then(
    (answer) => process.send?.(answer, () => process.exit(0)),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies ColdInstanceAnswer, () => process.exit(1)),
  );
});
process.send?.('ready');
