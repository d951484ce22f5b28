import type { Logger } from 'pino';
import type { SignedNotification } from '../../core/notification/notification.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { AgentMetrics } from '../metrics.js';
import type { HandOffAnswer } from './leader-hand-off.js';
import type { IntakeOutcome } from './notification-intake.js';

export interface ParkedNotificationsOptions {
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics | undefined;
  /** Whether this replica can take them itself now (it leads and its CR informers have listed). */
  readonly canTake: () => boolean;
  /** This replica's intake; called with mode `queue` (the ±300 s window was checked on arrival). */
  readonly take: (signed: SignedNotification) => IntakeOutcome;
  /** The hand-off to the leader while another replica leads; undefined when none is known or it cannot be reached. */
  readonly forward?: ((signed: SignedNotification) => Promise<HandOffAnswer | undefined>) | undefined;
  readonly leaderKnown?: (() => boolean) | undefined;
  /** How many may wait; beyond it the sender gets 503 as before (default 10,000). */
  readonly max?: number;
  /** How long one may wait for a leader before it is dropped, counted and logged (default 10 min). */
  readonly maxAgeMs?: number;
  /** How often a non-empty park is offered again (default 250 ms). */
  readonly intervalMs?: number;
}

/**
 * Notifications a replica verified while no leader could take them (docs/adr/0003-…): the leader was killed and its
 * Lease has not expired, or this replica has just started leading and its informers have not listed yet. A 503 would
 * send each one down the Function's retry path (minutes later); instead the replica answers 202 and parks it, and
 * as soon as someone leads it is handed on: into this replica's own intake once it leads and is ready, or byte for
 * byte to the new leader. Bounded (then 503 as before) and aged out. A parked notification dies with this replica;
 * the next leader's catch-up listing finds what it announced (docs/agent.md, "Catch-up"). Holds no secret value:
 * notifications carry none.
 */
export class ParkedNotifications {
  private readonly parked = new Map<string, { readonly signed: SignedNotification; readonly at: number }>();
  private cancel: (() => void) | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: ParkedNotificationsOptions) {}

  get size(): number {
    return this.parked.size;
  }

  /** Parks a verified notification; false when full (the caller answers 503). */
  park(signed: SignedNotification, eventId: string): boolean {
    if (!this.parked.has(eventId) && this.parked.size >= (this.options.max ?? 10_000)) return false;
    this.parked.set(eventId, { signed, at: this.options.scheduler.now() });
    this.options.metrics?.notifications.inc({ outcome: 'parked' });
    return true;
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.flushing;
  }

  /** Hands on what can go now (also what the timer runs). */
  flush(): Promise<void> {
    this.flushing ??= this.handOn().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private schedule(): void {
    this.cancel = this.options.scheduler.schedule(this.options.intervalMs ?? 250, () => {
      void (this.parked.size > 0 ? this.flush() : Promise.resolve()).finally(() => this.schedule());
    });
  }

  private async handOn(): Promise<void> {
    const { scheduler, logger, canTake, take, forward, leaderKnown } = this.options;
    const maxAgeMs = this.options.maxAgeMs ?? 600_000;
    for (const [eventId, { signed, at }] of [...this.parked]) {
      if (scheduler.now() - at > maxAgeMs) {
        this.parked.delete(eventId);
        this.options.metrics?.notifications.inc({ outcome: 'parked-expired' });
        logger.warn({ eventId }, 'parked notification expired without a leader; the next leader\'s catch-up covers it');
        continue;
      }
      if (canTake()) {
        // accepted, duplicate or refused (a keyring rotated meanwhile): done with it; not-ready: keep it.
        if (take(signed).outcome !== 'not-ready') this.parked.delete(eventId);
      } else if (forward && leaderKnown?.()) {
        const answer = await forward(signed);
        if (answer && answer.status < 500) this.parked.delete(eventId);
      } else {
        return;
      }
    }
  }
}
