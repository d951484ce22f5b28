/**
 * The module `@azure/functions-core` as the local host provides it to the app (the real Node.js worker ships
 * it built in). `@azure/functions` v4 requires it to register functions and hooks and to set its programming
 * model; without it the library runs in "test mode" and registers nothing.
 */
import type { FunctionCallback, FunctionMetadata, HookCallback, LogCategory, LogLevel, ProgrammingModel } from './core-types.js';
import { workerRegistry } from './worker-registry.js';

export const version = '4.0.0-akvsync-local';
export const hostVersion = '4.0.0-akvsync-local';

export class Disposable {
  #callOnDispose: (() => unknown) | undefined;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  static from(...disposables: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => disposables.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.#callOnDispose?.();
    this.#callOnDispose = undefined;
  }
}

export function registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
  return new Disposable(workerRegistry.registerFunction(metadata, callback));
}

export function registerHook(hookName: string, callback: HookCallback): Disposable {
  return new Disposable(workerRegistry.registerHook(hookName, callback));
}

export function setProgrammingModel(programmingModel: ProgrammingModel): void {
  workerRegistry.programmingModel = programmingModel;
}

export function getProgrammingModel(): ProgrammingModel {
  return workerRegistry.programmingModel;
}

export function log(level: LogLevel, category: LogCategory, message: string): void {
  workerRegistry.logSink(level, category, message);
}
