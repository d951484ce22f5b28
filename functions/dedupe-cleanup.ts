/**
 * The timer that expires Table dedupe marks by partition (one UTC day each): hourly, it deletes every partition
 * older than the TTL, and with the cluster registry the registration nonces of days before yesterday. Registered
 * only when the Table store is in use (AKVSYNC_STORAGE set).
 */
import { app, type InvocationContext } from '@azure/functions';
import type { FunctionRuntime } from './runtime.js';

export const DEDUPE_CLEANUP_SCHEDULE = '0 17 * * * *';

export function dedupeCleanupHandler(runtime: () => Promise<FunctionRuntime>) {
  return async function dedupeCleanup(_timer: unknown, context: InvocationContext): Promise<void> {
    const { tableDedupe, registry, routing } = await runtime();
    if (!tableDedupe) return;
    const deleted = await tableDedupe.deleteExpired();
    context.info(`dedupe cleanup deleted ${deleted} expired marks`);
    if (registry) context.info(`dedupe cleanup deleted ${await registry.nonces.deleteExpired(routing.clock.now())} expired registration nonces`);
  };
}

export function registerDedupeCleanup(runtime: () => Promise<FunctionRuntime>): void {
  app.timer('dedupeCleanup', { schedule: DEDUPE_CLEANUP_SCHEDULE, handler: dedupeCleanupHandler(runtime) });
}
