/**
 * Timer triggers of the local host: the binding's NCRONTAB schedule (six fields, seconds first; `%setting%`
 * resolved from the app settings) runs through `croner`; `runOnStartup` fires once when the host starts. The
 * function gets the timer object Azure passes: `{ schedule, scheduleStatus: { last, next, lastUpdated }, isPastDue }`.
 * Invocations of one timer never overlap (a tick during a running invocation is skipped), as with the real
 * singleton lock. TimeSpan schedules (`hh:mm:ss`, App Service plans only) are accepted as a fixed interval.
 */
import { Cron } from 'croner';
import type { TypedData } from './core-types.js';
import { resolveAppSettingExpressions } from './binding-expressions.js';
import { timeSpanMs } from './host-settings.js';
import { triggerOf, type FunctionDescriptor } from './worker-protocol.js';

export type InvokeTimerFunction = (timer: TypedData) => Promise<boolean>;

export class TimerTrigger {
  readonly schedule: string;
  readonly #runOnStartup: boolean;
  readonly #invoke: InvokeTimerFunction;
  #cron: Cron | undefined;
  #interval: NodeJS.Timeout | undefined;
  #last: Date | undefined;
  #running: Promise<unknown> | undefined;

  constructor(fn: FunctionDescriptor, env: Readonly<Record<string, string | undefined>>, invoke: InvokeTimerFunction) {
    const { binding } = triggerOf(fn);
    if (typeof binding.schedule !== 'string') throw new Error(`timer trigger ${fn.name}: no schedule`);
    this.schedule = resolveAppSettingExpressions(binding.schedule, env, `timer trigger ${fn.name}`);
    this.#runOnStartup = binding.runOnStartup === true;
    this.#invoke = invoke;
    if (timeSpanMs(this.schedule) === undefined && this.schedule.trim().split(/\s+/).length !== 6) {
      throw new Error(`timer trigger ${fn.name}: schedule "${this.schedule}" is not an NCRONTAB expression of six fields (seconds first) or hh:mm:ss`);
    }
  }

  start(): void {
    const interval = timeSpanMs(this.schedule);
    if (interval !== undefined) this.#interval = setInterval(() => void this.fire(), Math.max(interval, 1000));
    else this.#cron = new Cron(this.schedule, { protect: true }, () => void this.fire());
    if (this.#runOnStartup) void this.fire();
  }

  /** Invokes the function now (a tick, runOnStartup, or the admin API); skipped while an invocation runs. */
  fire(): Promise<unknown> {
    if (this.#running) return this.#running;
    const now = new Date();
    const next = this.#cron?.nextRun() ?? null;
    const timer = {
      schedule: { adjustForDST: true },
      scheduleStatus: { last: (this.#last ?? now).toISOString(), next: next?.toISOString() ?? null, lastUpdated: now.toISOString() },
      isPastDue: false,
    };
    this.#last = now;
    this.#running = this.#invoke({ json: JSON.stringify(timer) }).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#cron?.stop();
    if (this.#interval) clearInterval(this.#interval);
    await this.#running;
  }
}
