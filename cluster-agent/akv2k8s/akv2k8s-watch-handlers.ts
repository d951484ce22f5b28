/**
 * How akv2k8s's `spv.no/v2beta1` AzureKeyVaultSecrets join the agent's own: both informers feed the one CR index and
 * watch handler (same validation, same reconcile), with two rules.
 * - One name, one CR: `akvsync.io/v1` and `spv.no` objects of the same namespace/name write with the same field
 *   manager, so they are one CR to the agent. The akvsync.io one is served; the spv.no one waits (logged) and is
 *   served again when the akvsync.io one goes.
 * - Status memory: v2beta1 keeps only five status fields, so the index holds the agent's own view of an spv.no
 *   object's status (conditions included) across the informer's updates; on first sight it is empty, so the first
 *   status write sets every v2beta1 field (core/crd/akv2k8s-object.ts).
 */
import type { Logger } from 'pino';
import { isAkv2k8sObject } from '../../core/crd/akv2k8s-object.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { AkvsWatchHandlers } from '../adapters/akvs-informer.js';
import type { AkvsIndex } from '../controller/akvs-index.js';

export interface Akv2k8sWatchHandlers {
  /** For the akvsync.io informer. */
  readonly akvsync: AkvsWatchHandlers;
  /** For the spv.no informer (it watches handed-over namespaces only). */
  readonly akv2k8s: AkvsWatchHandlers;
}

export function akv2k8sWatchHandlers(inner: AkvsWatchHandlers, index: AkvsIndex, logger: Logger): Akv2k8sWatchHandlers {
  /** spv.no objects waiting behind an akvsync.io CR of the same name, by namespace/name. */
  const waiting = new Map<string, AzureKeyVaultSecret>();
  const id = (cr: AzureKeyVaultSecret): string => `${cr.metadata.namespace}/${cr.metadata.name}`;
  const current = (cr: AzureKeyVaultSecret): AzureKeyVaultSecret | undefined => index.get(cr.metadata.namespace, cr.metadata.name);
  const withMemory = (cr: AzureKeyVaultSecret): AzureKeyVaultSecret => {
    const indexed = current(cr);
    return { ...cr, status: indexed?.metadata.uid === cr.metadata.uid ? (indexed.status ?? {}) : {} };
  };
  const wait = (cr: AzureKeyVaultSecret): void => {
    if (!waiting.has(id(cr))) {
      logger.warn({ namespace: cr.metadata.namespace, name: cr.metadata.name }, 'an akvsync.io AzureKeyVaultSecret of the same name serves this output; the spv.no object waits');
    }
    waiting.set(id(cr), cr);
  };
  return {
    akvsync: {
      upsert: (cr) => {
        const before = current(cr);
        if (before && isAkv2k8sObject(before)) wait(before);
        inner.upsert(cr);
      },
      remove: (cr) => {
        inner.remove(cr);
        const next = waiting.get(id(cr));
        if (next && !current(cr)) {
          waiting.delete(id(cr));
          inner.upsert({ ...next, status: {} });
        }
      },
    },
    akv2k8s: {
      upsert: (cr) => {
        const indexed = current(cr);
        if (indexed && !isAkv2k8sObject(indexed)) {
          wait(cr);
          return;
        }
        waiting.delete(id(cr));
        inner.upsert(withMemory(cr));
      },
      remove: (cr) => {
        if (waiting.get(id(cr))?.metadata.uid === cr.metadata.uid) waiting.delete(id(cr));
        const indexed = current(cr);
        if (indexed && isAkv2k8sObject(indexed)) inner.remove(cr);
      },
    },
  };
}
