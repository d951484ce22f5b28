/**
 * Storage Queue names per cluster. Queue names are 3–63 of `[a-z0-9-]`, without `--`, and `<name>-poison` must fit
 * too; cluster names allow upper case, `.` and `_`. So a name is a fixed prefix, the cluster name made safe
 * (lower case, `._` → `-`, at most 30 characters) and 8 hex of its SHA-256, which keeps `Prod.A` and `prod_a` apart.
 */
import { createHash } from 'node:crypto';

/** The queue a queue-mode cluster's agent drains (ADR 0001's queue envelope). */
export const deliveryQueueName = (cluster: string): string => queueName('akvsync-q', cluster);
/** The queue holding this cluster's failed pushes until their next attempt. */
export const retryQueueName = (cluster: string): string => queueName('akvsync-r', cluster);
/**
 * The one retry queue of all registered clusters: functions (and so queue triggers) are fixed when the app starts,
 * and clusters register later. Each message names its cluster.
 */
export const REGISTERED_RETRY_QUEUE = 'akvsync-r-registered';
export const poisonQueueName = (queue: string): string => `${queue}-poison`;

function queueName(prefix: string, cluster: string): string {
  const safe = cluster.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30).replace(/-+$/, '');
  const hash = createHash('sha256').update(cluster, 'utf8').digest('hex').slice(0, 8);
  return [prefix, safe, hash].filter((part) => part !== '').join('-');
}

/** A Functions function name for this cluster's retry trigger (letters, digits, `_` and `-`; unique per cluster). */
export function retryFunctionName(cluster: string): string {
  return `pushRetry-${retryQueueName(cluster).slice('akvsync-r-'.length)}`;
}
