/**
 * Serving akv2k8s's `spv.no/v2beta1` AzureKeyVaultSecrets in the handed-over namespaces (AKVSYNC_AKV2K8S_NAMESPACES):
 * a leader-only component that checks the CRD is installed, then lists and watches those objects into the same index
 * and reconcile as akvsync.io ones (akv2k8s-watch-handlers.ts). Without the CRD it says so and serves nothing.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { AKV2K8S_GROUP, AKV2K8S_VERSION } from '../../core/crd/akv2k8s-object.js';
import { AKV2K8S_API_VERSION, AKVS_KIND, AKVS_PLURAL, AKVSYNC_GROUP } from '../../core/crd/azure-key-vault-secret.js';
import { AkvsInformerSet } from '../adapters/akvs-informer.js';
import type { AkvsWatchHandlers } from '../adapters/akvs-informer.js';
import { isKindServed } from '../adapters/served-kind.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';

export interface Akv2k8sComponentOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespaces: readonly string[];
  readonly labelSelector: string | undefined;
  readonly handlers: AkvsWatchHandlers;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Whether akv2k8s's CRD is installed; default: API discovery. */
  readonly crdInstalled?: () => Promise<boolean>;
}

export function akv2k8sComponent(options: Akv2k8sComponentOptions): Component {
  let informers: AkvsInformerSet | undefined;
  const { logger, namespaces } = options;
  return {
    name: 'akv2k8s-objects',
    leaderOnly: true,
    async start() {
      const installed = options.crdInstalled ?? (() => isKindServed(options.kubeConfig, AKV2K8S_API_VERSION, AKVS_KIND));
      if (!(await installed())) {
        logger.warn({ namespaces }, `AKVSYNC_AKV2K8S_NAMESPACES is set, but akv2k8s's CRD (${AKVS_PLURAL}.${AKV2K8S_GROUP}, ${AKV2K8S_VERSION}) is not installed: no spv.no object is served (install the CRD, then restart the agent)`);
        return;
      }
      informers = new AkvsInformerSet({
        kubeConfig: options.kubeConfig, namespaces, labelSelector: options.labelSelector, handlers: options.handlers, scheduler: options.scheduler, logger,
        resource: { group: AKV2K8S_GROUP, version: AKV2K8S_VERSION, plural: AKVS_PLURAL },
      });
      await informers.start();
      logger.info({ namespaces }, `serving akv2k8s's ${AKV2K8S_API_VERSION} AzureKeyVaultSecrets beside ${AKVSYNC_GROUP} ones in the handed-over namespaces`);
    },
    async stop() {
      await informers?.stop();
    },
  };
}

/** The API groups whose AzureKeyVaultSecrets the agent serves in a namespace. */
export function servedGroupsIn(handedOver: readonly string[]): (namespace: string) => readonly string[] {
  const set = new Set(handedOver);
  const both = [AKVSYNC_GROUP, AKV2K8S_GROUP] as const;
  const own = [AKVSYNC_GROUP] as const;
  return (namespace) => (set.has(namespace) ? both : own);
}
