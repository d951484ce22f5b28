/**
 * A named part of the agent with a lifecycle (controller-runtime's Runnable + LeaderElectionRunnable).
 * `leaderOnly: false` runs on every replica (notify intake, probes, later the webhook and queue consumer);
 * `leaderOnly: true` runs only on the replica that holds the lease (informers, work queue, fallback check).
 */
export interface Component {
  readonly name: string;
  readonly leaderOnly: boolean;
  /** Resolves once the component is running (a listener bound, an informer synced). */
  start(): Promise<void>;
  /** Resolves once it has stopped; must be safe to call when start failed or never ran. */
  stop(): Promise<void>;
}

/** The seam for leader election: calls `onStartedLeading` when this replica becomes leader (it may never). */
export interface LeaderElector {
  run(callbacks: { onStartedLeading: () => Promise<void>; onStoppedLeading: () => void }): Promise<void>;
  stop(): Promise<void>;
}

/** One replica, no election: leader at once, for good (the behaviour until a Lease-based elector is configured). */
export const alwaysLeader: LeaderElector = {
  run: ({ onStartedLeading }) => onStartedLeading(),
  stop: () => Promise.resolve(),
};
