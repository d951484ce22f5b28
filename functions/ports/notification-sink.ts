import type { SignedNotification } from '../../core/notification/notification.js';

/**
 * Carries one signed notification to one cluster (HTTPS push; the cluster's Storage Queue in queue mode). Signing is
 * not the sink's job: NotificationSigner signs per attempt, right before it (functions/send-notification.ts).
 * Resolves once the cluster (or its queue) accepted it. Throws TransientError when a later attempt may succeed
 * (network, timeout, 408, 429, 5xx, 401 unknown-key/stale-timestamp) and TerminalError when it cannot (the agent
 * refused it, the cluster is unknown).
 */
export interface NotificationSink {
  deliver(cluster: string, signed: SignedNotification): Promise<void>;
}
