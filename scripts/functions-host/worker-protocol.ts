/** Messages between the local host (parent) and the worker process that runs the app (IPC, structured clone). */
import type { BindingInfo, InvocationResponse, LogCategory, LogLevel } from './core-types.js';
import type { InvocationInput } from './invoke-function.js';

/** A registered function as the host sees it: its name and bindings (the trigger among them). */
export interface FunctionDescriptor {
  readonly name: string;
  readonly bindings: Readonly<Record<string, BindingInfo>>;
}

export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
  readonly stack: string | undefined;
}

export type HostToWorker =
  | { readonly kind: 'invoke'; readonly id: number; readonly functionName: string; readonly input: InvocationInput }
  | { readonly kind: 'shutdown' };

export type WorkerToHost =
  | { readonly kind: 'ready'; readonly functions: readonly FunctionDescriptor[] }
  | { readonly kind: 'load-failed'; readonly error: ErrorSummary }
  | { readonly kind: 'result'; readonly id: number; readonly ok: true; readonly response: InvocationResponse }
  | { readonly kind: 'result'; readonly id: number; readonly ok: false; readonly error: ErrorSummary }
  | { readonly kind: 'log'; readonly entry: WorkerLogEntry };

export interface WorkerLogEntry {
  readonly level: LogLevel;
  readonly category: LogCategory;
  readonly message: string;
  readonly functionName: string | undefined;
  readonly invocationId: string | undefined;
}

export function summariseError(error: unknown): ErrorSummary {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, code: typeof code === 'string' ? code : undefined, stack: error.stack };
  }
  return { name: 'Error', message: String(error), code: undefined, stack: undefined };
}

/** The function's trigger binding: its name and lower-cased type (`eventgridtrigger`, `httptrigger`, …). */
export function triggerOf(fn: FunctionDescriptor): { readonly name: string; readonly type: string; readonly binding: BindingInfo } {
  const [name, binding] = Object.entries(fn.bindings).find(([, b]) => /trigger$/i.test(b.type ?? '')) ?? ['trigger', { type: 'unknown' }];
  return { name, type: (binding.type ?? 'unknown').toLowerCase(), binding };
}
