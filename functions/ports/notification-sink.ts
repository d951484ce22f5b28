import type { Notification } from '../../core/notification/notification.js';

/**
 * Delivers one notification to one cluster (push today; the Storage Queue sink comes with the fleet registry).
 * Resolves once the cluster accepted it. Throws TransientError when a later retry may succeed (network, timeout,
 * 408, 429, 5xx) and TerminalError when it cannot (the agent refused it, the cluster is unknown).
 */
export interface NotificationSink {
  deliver(cluster: string, notification: Notification): Promise<void>;
}
