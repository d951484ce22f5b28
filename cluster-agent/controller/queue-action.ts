/** What one reconcile of a key came to (controller-runtime's Result + error, as one value). */
export type ReconcileResult =
  | { readonly kind: 'success' }
  | { readonly kind: 'requeue-after'; readonly delayMs: number }
  | { readonly kind: 'error'; readonly error: unknown };

export const success: ReconcileResult = Object.freeze({ kind: 'success' });

/** What the work queue does with a key after a reconcile (decided by decideQueueAction, cluster-agent/error-policy.ts). */
export type QueueAction =
  | { readonly action: 'done' }
  | { readonly action: 'requeue'; readonly delayMs: number; readonly reason: 'requeue-after' | 'backoff' }
  | { readonly action: 'drop'; readonly reason: 'terminal' | 'not-found' };
