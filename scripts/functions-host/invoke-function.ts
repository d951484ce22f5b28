/**
 * Runs one invocation the way the Node.js worker does: the app's own programming model builds the
 * InvocationContext and converts the trigger data (`getInvocationModel` → `getArguments`), preInvocation hooks
 * may replace inputs or the handler, the handler runs, postInvocation hooks may replace result or error, and
 * `getResponse` converts the result back into typed data.
 */
import { randomBytes } from 'node:crypto';
import type { CoreInvocationContext, InvocationResponse, LogCategory, LogLevel, TypedData } from './core-types.js';
import type { RegisteredFunction, WorkerRegistry } from './worker-registry.js';

export interface InvocationInput {
  readonly invocationId: string;
  /** Input data keyed by binding name (the trigger's binding name at least). */
  readonly inputData: Readonly<Record<string, TypedData>>;
  readonly triggerMetadata: Readonly<Record<string, TypedData>>;
}

export type InvocationLog = (level: LogLevel, category: LogCategory, message: string) => void;

export async function invokeRegisteredFunction(
  registry: WorkerRegistry,
  fn: RegisteredFunction,
  input: InvocationInput,
  appHookData: Record<string, unknown>,
  log: InvocationLog,
): Promise<InvocationResponse> {
  const { name, bindings } = fn.metadata;
  const coreContext: CoreInvocationContext = {
    invocationId: input.invocationId,
    request: {
      invocationId: input.invocationId,
      functionId: name,
      inputData: Object.entries(input.inputData).map(([bindingName, data]) => ({ name: bindingName, data })),
      triggerMetadata: { ...input.triggerMetadata },
      traceContext: { traceParent: newTraceParent(), traceState: '', attributes: {} },
    },
    metadata: { name, bindings, functionId: name, language: 'node' },
    log,
  };
  const model = registry.programmingModel.getInvocationModel(coreContext);
  const { context, inputs } = await model.getArguments();
  const hookData: Record<string, unknown> = {};

  coreContext.state = 'preInvocationHooks';
  const pre = { hookData, appHookData, invocationContext: context, inputs, functionCallback: fn.callback };
  for (const hook of registry.hooks('preInvocation')) await hook(pre);

  coreContext.state = 'invocation';
  const post: Record<string, unknown> = { hookData, appHookData, invocationContext: context, inputs: pre.inputs };
  try {
    post.result = await model.invokeFunction(context, pre.inputs, pre.functionCallback);
    post.error = null;
  } catch (error) {
    post.result = null;
    post.error = error;
  }

  coreContext.state = 'postInvocationHooks';
  for (const hook of registry.hooks('postInvocation')) await hook(post);
  delete coreContext.state;

  if (post.error !== null && post.error !== undefined) throw post.error;
  return model.getResponse(context, post.result);
}

/** A W3C traceparent for the invocation, as the host would pass one. */
function newTraceParent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
