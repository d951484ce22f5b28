/**
 * File mode's refresh signal, on every replica: `waitForChange` resolves true as soon as one of the named
 * AzureKeyVaultSecrets shows a `status.syncedVersion` other than the caller's (the leader wrote it after syncing a
 * rotation, whichever replica the notification reached), false after the timeout or when the caller goes away.
 * One list+watch per namespace with waiters (AkvsInformerSet: relist and reconnect handled there), started on the
 * first waiter and stopped `idleStopMs` after the last one left, so the cost follows namespaces with refreshing pods,
 * not pods. Names and versions only: no value passes here.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { AkvsInformerSet } from '../adapters/akvs-informer.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { AkvsVersions } from './env-values.js';

interface Waiter {
  readonly known: AkvsVersions;
  readonly done: (changed: boolean) => void;
}

interface NamespaceWatch {
  readonly informer: AkvsInformerSet;
  readonly versions: Map<string, string | null>;
  readonly waiters: Set<Waiter>;
  readonly listed: Promise<void>;
  stopLater?: () => void;
}

export interface AkvsVersionWatchOptions {
  readonly kubeConfig: KubeConfig;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** How long a namespace's watch outlives its last waiter (sidecars poll again right away); default 60 s. */
  readonly idleStopMs?: number;
}

const differs = (versions: ReadonlyMap<string, string | null>, known: AkvsVersions): boolean =>
  Object.entries(known).some(([name, version]) => (versions.get(name) ?? null) !== version);

export class AkvsVersionWatch {
  private readonly watches = new Map<string, NamespaceWatch>();

  constructor(private readonly options: AkvsVersionWatchOptions) {}

  async waitForChange(namespace: string, known: AkvsVersions, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    const watch = this.acquire(namespace);
    try {
      await watch.listed;
      return await new Promise<boolean>((resolve) => {
        if (signal.aborted || differs(watch.versions, known)) return resolve(!signal.aborted);
        let cancelTimer = (): void => undefined;
        const waiter: Waiter = {
          known,
          done: (changed) => {
            watch.waiters.delete(waiter);
            cancelTimer();
            signal.removeEventListener('abort', onAbort);
            resolve(changed);
          },
        };
        const onAbort = (): void => waiter.done(false);
        watch.waiters.add(waiter);
        cancelTimer = this.options.scheduler.schedule(timeoutMs, () => waiter.done(false));
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      this.release(namespace, watch);
    }
  }

  /** Stops every namespace's watch (the agent is stopping); waiting callers are answered "unchanged". */
  async stop(): Promise<void> {
    const all = [...this.watches.values()];
    this.watches.clear();
    for (const watch of all) {
      for (const waiter of [...watch.waiters]) waiter.done(false);
      watch.stopLater?.();
    }
    await Promise.all(all.map((w) => w.informer.stop()));
  }

  private acquire(namespace: string): NamespaceWatch {
    const existing = this.watches.get(namespace);
    if (existing) {
      existing.stopLater?.();
      existing.stopLater = undefined;
      return existing;
    }
    const versions = new Map<string, string | null>();
    const waiters = new Set<Waiter>();
    const changed = (cr: AzureKeyVaultSecret, version: string | null): void => {
      versions.set(cr.metadata.name, version);
      for (const waiter of [...waiters]) if (differs(versions, waiter.known)) waiter.done(true);
    };
    const informer = new AkvsInformerSet({
      kubeConfig: this.options.kubeConfig,
      namespaces: [namespace],
      scheduler: this.options.scheduler,
      logger: this.options.logger,
      handlers: { upsert: (cr) => changed(cr, cr.status?.syncedVersion ?? null), remove: (cr) => changed(cr, null) },
    });
    const watch: NamespaceWatch = { informer, versions, waiters, listed: informer.start() };
    // A failed first list fails this wait (503 to the caller) and is retried by the next one.
    watch.listed.catch(() => {
      if (this.watches.get(namespace) === watch) this.watches.delete(namespace);
      void informer.stop();
    });
    this.watches.set(namespace, watch);
    return watch;
  }

  private release(namespace: string, watch: NamespaceWatch): void {
    if (watch.waiters.size > 0 || this.watches.get(namespace) !== watch) return;
    watch.stopLater?.();
    watch.stopLater = this.options.scheduler.schedule(this.options.idleStopMs ?? 60_000, () => {
      if (watch.waiters.size > 0 || this.watches.get(namespace) !== watch) return;
      this.watches.delete(namespace);
      void watch.informer.stop();
    });
  }
}
