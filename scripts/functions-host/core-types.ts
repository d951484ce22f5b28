/**
 * The subset of the `@azure/functions-core` contract (the module the real Node.js worker provides) that the
 * local host implements. Shapes follow azure-functions-nodejs-worker `types-core/index.d.ts`; only what
 * `@azure/functions` v4 actually reads is typed here.
 */

/** One binding as `@azure/functions` registers it (trigger, inputs, `$return`, outputs). */
export interface BindingInfo {
  readonly type?: string | null;
  readonly direction?: 'in' | 'out' | 'inout' | null;
  readonly [option: string]: unknown;
}

/** What `registerFunction` receives: the function name and its bindings keyed by binding name. */
export interface FunctionMetadata {
  readonly name: string;
  readonly bindings: Readonly<Record<string, BindingInfo>>;
  readonly retryOptions?: unknown;
}

/** RpcTypedData: exactly one field is set. */
export interface TypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  http?: HttpData | null;
  int?: number | null;
  double?: number | null;
}

/** RpcHttpData, as far as the local host fills it in and reads it back. */
export interface HttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  query?: Record<string, string> | null;
  params?: Record<string, string> | null;
  body?: TypedData | null;
  statusCode?: string | null;
  cookies?: unknown[] | null;
}

export interface ParameterBinding {
  name?: string | null;
  data?: TypedData | null;
}

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type LogCategory = 'user' | 'system' | 'customMetric';

export interface InvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: ParameterBinding[];
  triggerMetadata: Record<string, TypedData>;
  traceContext: { traceParent: string; traceState: string; attributes: Record<string, string> };
}

export interface InvocationResponse {
  invocationId?: string | null;
  outputData?: ParameterBinding[] | null;
  returnValue?: TypedData | null;
}

export interface CoreInvocationContext {
  invocationId: string;
  request: InvocationRequest;
  metadata: FunctionMetadata & { functionId: string; language: string };
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: LogLevel, category: LogCategory, message: string): void;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<InvocationResponse>;
}

export interface ProgrammingModel {
  readonly name: string;
  readonly version: string;
  getInvocationModel(coreContext: CoreInvocationContext): InvocationModel;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation';
export type HookCallback = (context: Record<string, unknown>) => void | Promise<void>;

export interface Disposable {
  dispose(): void;
}
