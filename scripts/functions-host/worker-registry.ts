/**
 * What the app registered through `@azure/functions-core`: functions, hooks, the programming model and where
 * log lines go. One per worker process, like the module the real worker provides.
 */
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookName,
  LogCategory,
  LogLevel,
  ProgrammingModel,
} from './core-types.js';

export interface RegisteredFunction {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
}

export type CoreLogSink = (level: LogLevel, category: LogCategory, message: string) => void;

const HOOK_NAMES: readonly HookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation'];

export class WorkerRegistry {
  readonly #functions = new Map<string, RegisteredFunction>();
  readonly #hooks = new Map<HookName, HookCallback[]>(HOOK_NAMES.map((name) => [name, []]));
  #programmingModel: ProgrammingModel | undefined;
  #locked = false;
  logSink: CoreLogSink = (level, category, message) => console.error(`[${level}] [${category}] ${message}`);

  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): () => void {
    if (this.#locked) throw new Error(`function "${metadata.name}" registered after app start-up; register functions at module load`);
    if (typeof metadata.name !== 'string' || metadata.name === '') throw new Error('registerFunction: metadata.name is required');
    const key = metadata.name.toLowerCase();
    if (this.#functions.has(key)) throw new Error(`a function named "${metadata.name}" is already registered`);
    const triggers = Object.values(metadata.bindings).filter((b) => /trigger$/i.test(b.type ?? ''));
    if (triggers.length !== 1) throw new Error(`function "${metadata.name}" must have exactly one trigger binding, found ${triggers.length}`);
    this.#functions.set(key, { metadata, callback });
    return () => this.#functions.delete(key);
  }

  registerHook(name: string, callback: HookCallback): () => void {
    const list = this.#hooks.get(name as HookName);
    if (!list) throw new RangeError(`hook "${name}" is not emulated by the local Functions host (supported: ${HOOK_NAMES.join(', ')})`);
    list.push(callback);
    return () => {
      const at = list.indexOf(callback);
      if (at >= 0) list.splice(at, 1);
    };
  }

  hooks(name: HookName): readonly HookCallback[] {
    return [...(this.#hooks.get(name) ?? [])];
  }

  set programmingModel(model: ProgrammingModel) {
    this.#programmingModel = model;
  }

  get programmingModel(): ProgrammingModel {
    if (!this.#programmingModel) throw new Error('no programming model was set: the app must import @azure/functions v4');
    return this.#programmingModel;
  }

  /** Function lookup is case-insensitive, like the Functions host. */
  find(name: string): RegisteredFunction | undefined {
    return this.#functions.get(name.toLowerCase());
  }

  get functions(): readonly RegisteredFunction[] {
    return [...this.#functions.values()];
  }

  /** After the app entry has loaded: further registrations are refused, as in Azure. */
  lock(): void {
    this.#locked = true;
  }
}

/**
 * The registry lives on globalThis: the app reaches functions-core through `require()` inside @azure/functions
 * while the worker imports it as ESM, and a loader may evaluate this file once per module system.
 */
const REGISTRY_KEY = Symbol.for('akvsync.functions-host.worker-registry');
const globalSlot = globalThis as { [REGISTRY_KEY]?: WorkerRegistry };
export const workerRegistry: WorkerRegistry = (globalSlot[REGISTRY_KEY] ??= new WorkerRegistry());
