import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { describeFailure } from '../error-policy.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';

/** Files read together and applied together (a certificate and its key; a keyring). */
export interface ReloadTarget {
  /** The setting that names the files (for log lines; never the content). */
  readonly setting: string;
  readonly paths: readonly string[];
  /** Validates and installs new contents; throws (value-free error) to keep the current ones. */
  apply(contents: readonly string[]): void;
}

export interface FileReloaderOptions {
  readonly targets: readonly ReloadTarget[];
  readonly scheduler: Scheduler;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly readText?: (path: string) => Promise<string>;
}

/**
 * Every-replica component that re-reads mounted files (the notify TLS certificate and key, the signing keyring) every
 * `intervalMs` and applies a change without a restart: a key rotation or a cert-manager renewal takes effect within
 * one interval. Polling, not inotify: a Kubernetes Secret volume swaps a symlink, which file watches miss. A change
 * that does not validate keeps the running values and is logged once (setting and error code, never content).
 */
export class FileReloader implements Component {
  readonly name = 'file-reloader';
  readonly leaderOnly = false;
  private readonly applied = new Map<ReloadTarget, string>();
  private readonly refused = new Map<ReloadTarget, string>();
  private cancel: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: FileReloaderOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    // What is running now came from these files at start-up: that is the baseline.
    for (const target of this.options.targets) {
      const contents = await this.read(target);
      if (contents) this.applied.set(target, digest(contents));
    }
    this.scheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** One pass now (also what the timer runs). Returns the settings whose new contents were applied. */
  async checkOnce(): Promise<string[]> {
    const reloaded: string[] = [];
    for (const target of this.options.targets) {
      const contents = await this.read(target);
      if (!contents) continue;
      const d = digest(contents);
      if (this.applied.get(target) === d || this.refused.get(target) === d) continue;
      try {
        target.apply(contents);
        this.applied.set(target, d);
        this.refused.delete(target);
        reloaded.push(target.setting);
        this.options.logger.info({ setting: target.setting }, 'reloaded changed file');
      } catch (error) {
        this.refused.set(target, d);
        this.options.logger.warn({ setting: target.setting, code: describeFailure(error).code }, 'changed file refused; keeping the running one');
      }
    }
    return reloaded;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.cancel = this.options.scheduler.schedule(this.options.intervalMs, () => {
      this.checkOnce().catch(() => undefined).finally(() => this.scheduleNext());
    });
  }

  /** All files of a target, or undefined while one cannot be read (mid-swap, or not mounted). */
  private async read(target: ReloadTarget): Promise<string[] | undefined> {
    const readText = this.options.readText ?? ((p: string) => readFile(p, 'utf8'));
    try {
      return await Promise.all(target.paths.map((p) => readText(p)));
    } catch {
      return undefined;
    }
  }
}

function digest(contents: readonly string[]): string {
  const h = createHash('sha256');
  for (const c of contents) h.update(String(c.length)).update('\0').update(c);
  return h.digest('hex');
}
