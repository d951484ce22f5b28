import type { Logger } from 'pino';
import { TerminalError } from '../../core/errors.js';
import type { Component, LeaderElector } from './component.js';

/**
 * Starts and stops the agent's components (controller-runtime's Manager): every-replica components first, in the
 * order added; then the leader-only ones once the elector says this replica leads. Stops in reverse order. A failed
 * start stops what already started and rethrows.
 */
export class ComponentManager {
  private readonly components: Component[] = [];
  private readonly started: Component[] = [];
  private leading = false;

  constructor(
    private readonly elector: LeaderElector,
    private readonly logger: Logger,
  ) {}

  add(component: Component): this {
    if (this.components.some((c) => c.name === component.name)) throw new TerminalError('DuplicateComponent', `component ${component.name} added twice`);
    this.components.push(component);
    return this;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Resolves when the every-replica components run and the elector's first answer has been acted on. */
  async start(): Promise<void> {
    try {
      await this.startAll(this.components.filter((c) => !c.leaderOnly));
      await this.elector.run({
        onStartedLeading: async () => {
          this.leading = true;
          this.logger.info('leading: starting leader-only components');
          await this.startAll(this.components.filter((c) => c.leaderOnly));
        },
        onStoppedLeading: () => {
          this.leading = false;
          this.logger.warn('lost leadership: stopping leader-only components');
          void this.stopWhere((c) => c.leaderOnly);
        },
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.elector.stop();
    await this.stopWhere(() => true);
  }

  private async startAll(components: readonly Component[]): Promise<void> {
    for (const c of components) {
      this.started.push(c);
      await c.start();
      this.logger.debug({ component: c.name }, 'component started');
    }
  }

  private async stopWhere(which: (c: Component) => boolean): Promise<void> {
    for (const c of [...this.started].reverse()) {
      if (!which(c)) continue;
      this.started.splice(this.started.indexOf(c), 1);
      try {
        await c.stop();
      } catch (error) {
        this.logger.warn({ component: c.name, err: (error as Error).name }, 'component failed to stop');
      }
    }
  }
}
