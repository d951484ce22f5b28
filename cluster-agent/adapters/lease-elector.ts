import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeFailure } from '../error-policy.js';
import type { LeaderElector } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';
import { isKubeConflict, isKubeNotFound, kubeError } from './kube-errors.js';

export interface LeaseTimings {
  /** How long a lease holds without renewal before another replica may take it (client-go default 15 s). */
  readonly leaseDurationMs: number;
  /** A leader that could not renew for this long gives up (10 s). */
  readonly renewDeadlineMs: number;
  /** How often to try to acquire or renew (2 s). */
  readonly retryPeriodMs: number;
}

export const defaultLeaseTimings: LeaseTimings = Object.freeze({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });

export interface LeaseElectorOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  /** This replica (the Pod name). */
  readonly identity: string;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly timings?: LeaseTimings;
  /** Where this replica's notify endpoint answers (`host:port`), published on the Lease while it leads. */
  readonly advertiseAddress?: () => string | undefined;
}

/** The Lease annotation holding the leader's notify address, for the hand-off from other replicas. */
export const NOTIFY_ADDRESS_ANNOTATION = 'akvsync.io/notify-address';

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it: acquire when the Lease
 * is free or its holder has not renewed for `leaseDuration` (measured on OUR clock from when we last saw the record
 * change, so clock skew between replicas does not matter), renew every `retryPeriod`, give up after `renewDeadline`
 * without a successful renewal (the manager then stops the leader-only components; the process should exit and be
 * restarted, as controller-runtime does). Updates are optimistic (resourceVersion), so two replicas never both win.
 * On stop, a leader releases the Lease so the next replica takes over at once.
 */
export class LeaseElector implements LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly timings: LeaseTimings;
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private lastRenew = 0;
  private cancel: (() => void) | undefined;
  private stopped = false;
  private callbacks: Parameters<LeaderElector['run']>[0] | undefined;
  private otherLeader: string | undefined;

  constructor(private readonly options: LeaseElectorOptions) {
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.timings = options.timings ?? defaultLeaseTimings;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The notify address another replica published while it holds the Lease (as of the last check), if any. */
  get leaderAddress(): string | undefined {
    return this.leading ? undefined : this.otherLeader;
  }

  /** Tries once now; if that wins, resolves after the leader-only components started. Keeps trying in the background. */
  async run(callbacks: Parameters<LeaderElector['run']>[0]): Promise<void> {
    this.callbacks = callbacks;
    this.stopped = false;
    await this.tick();
    this.scheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
    if (!this.leading) return;
    this.leading = false;
    await this.release().catch((error: unknown) => this.options.logger.warn({ code: describeFailure(error).code }, 'could not release the leader Lease'));
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.cancel = this.options.scheduler.schedule(this.timings.retryPeriodMs, () => {
      this.tick().finally(() => this.scheduleNext());
    });
  }

  private async tick(): Promise<void> {
    const now = this.options.scheduler.now();
    let won: boolean;
    try {
      won = await this.tryAcquireOrRenew(now);
    } catch (error) {
      this.options.logger.warn({ code: describeFailure(error).code }, 'leader Lease could not be read or written');
      won = false;
    }
    if (won) {
      this.lastRenew = now;
      if (!this.leading && !this.stopped) {
        this.leading = true;
        this.options.logger.info({ lease: this.options.name, identity: this.options.identity }, 'became leader');
        await this.callbacks?.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew >= this.timings.renewDeadlineMs) {
      this.leading = false;
      this.stopped = true;
      this.options.logger.warn({ lease: this.options.name }, 'could not renew the leader Lease in time; leadership lost');
      this.callbacks?.onStoppedLeading();
    }
  }

  private async tryAcquireOrRenew(now: number): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (error) {
      if (!isKubeNotFound(error)) throw kubeError(error, `read Lease ${namespace}/${name}`);
      this.otherLeader = undefined;
      return this.write(() => this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace, annotations: this.annotations({}) }, spec: this.spec(now, undefined) } }));
    }
    const spec = lease.spec ?? {};
    const record = `${spec.holderIdentity ?? ''}|${microTime(spec.renewTime)}|${spec.leaseTransitions ?? 0}`;
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const duration = (spec.leaseDurationSeconds ?? this.timings.leaseDurationMs / 1000) * 1000;
    const heldByOther = spec.holderIdentity !== undefined && spec.holderIdentity !== '' && spec.holderIdentity !== identity;
    if (heldByOther && now - this.observed.at < duration) {
      this.otherLeader = lease.metadata?.annotations?.[NOTIFY_ADDRESS_ANNOTATION];
      return false;
    }
    this.otherLeader = undefined;
    const metadata = { ...lease.metadata, annotations: this.annotations(lease.metadata?.annotations ?? {}) };
    return this.write(() => this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, metadata, spec: this.spec(now, lease.spec) } }));
  }

  private annotations(existing: Readonly<Record<string, string>>): Record<string, string> {
    const rest = Object.fromEntries(Object.entries(existing).filter(([k]) => k !== NOTIFY_ADDRESS_ANNOTATION));
    const address = this.options.advertiseAddress?.();
    return address ? { ...rest, [NOTIFY_ADDRESS_ANNOTATION]: address } : rest;
  }

  private spec(now: number, previous: V1Lease['spec']): NonNullable<V1Lease['spec']> {
    const mine = previous?.holderIdentity === this.options.identity;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.timings.leaseDurationMs / 1000),
      acquireTime: new V1MicroTime(mine && previous?.acquireTime ? Date.parse(microTime(previous.acquireTime)) : now),
      renewTime: new V1MicroTime(now),
      leaseTransitions: mine ? (previous?.leaseTransitions ?? 0) : (previous?.leaseTransitions ?? -1) + 1,
    };
  }

  /** A create/replace that lost a race (409) means another replica holds the Lease. */
  private async write(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (isKubeConflict(error)) return false;
      throw kubeError(error, `write Lease ${this.options.namespace}/${this.options.name}`);
    }
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    const lease = await this.api.readNamespacedLease({ namespace, name });
    if (lease.spec?.holderIdentity !== identity) return;
    // Free at once: no holder, and a renew time far enough back that any replica may take it.
    const metadata = { ...lease.metadata, annotations: Object.fromEntries(Object.entries(lease.metadata?.annotations ?? {}).filter(([k]) => k !== NOTIFY_ADDRESS_ANNOTATION)) };
    await this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, metadata, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } } });
  }
}

/** A MicroTime as read back (client-node may hand it over as a Date or as the wire string). */
function microTime(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : '';
}
