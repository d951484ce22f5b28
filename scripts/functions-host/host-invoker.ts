/**
 * Invokes a function in the worker the way the host does: a fresh invocation id, the trigger data under the
 * trigger's binding name, `sys` trigger metadata, and Core Tools-style "Executing / Executed" log lines.
 */
import { randomUUID } from 'node:crypto';
import type { InvocationResponse, LogLevel, TypedData } from './core-types.js';
import { triggerOf, type FunctionDescriptor } from './worker-protocol.js';
import { InvocationFailedError, type WorkerProcess } from './worker-process.js';

export type HostLog = (level: LogLevel, message: string, functionName?: string, invocationId?: string) => void;

export class HostInvoker {
  constructor(
    private readonly worker: WorkerProcess,
    private readonly log: HostLog,
  ) {}

  /** The response, or undefined when the function threw (the failure is logged here). */
  async invoke(fn: FunctionDescriptor, reason: string, triggerData: TypedData, triggerMetadata: Readonly<Record<string, TypedData>> = {}): Promise<InvocationResponse | undefined> {
    const invocationId = randomUUID();
    const started = performance.now();
    const executed = (outcome: string): string =>
      `Executed 'Functions.${fn.name}' (${outcome}, Id=${invocationId}, Duration=${Math.round(performance.now() - started)}ms)`;
    this.log('information', `Executing 'Functions.${fn.name}' (Reason='${reason}', Id=${invocationId})`, fn.name, invocationId);
    try {
      const sys = { MethodName: fn.name, UtcNow: new Date().toISOString(), RandGuid: randomUUID() };
      const response = await this.worker.invoke(fn.name, {
        invocationId,
        inputData: { [triggerOf(fn).name]: triggerData },
        triggerMetadata: { ...triggerMetadata, sys: { json: JSON.stringify(sys) } },
      });
      this.log('information', executed('Succeeded'), fn.name, invocationId);
      return response;
    } catch (error) {
      const s = error instanceof InvocationFailedError ? error.summary : { name: 'Error', message: String(error), code: undefined };
      this.log('error', `${executed('Failed')}: ${s.name}${s.code ? ` [${s.code}]` : ''}: ${s.message}`, fn.name, invocationId);
      return undefined;
    }
  }
}
