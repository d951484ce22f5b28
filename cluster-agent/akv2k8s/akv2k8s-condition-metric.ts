import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { isAkv2k8sObject } from '../../core/crd/akv2k8s-object.js';
import type { AkvsIndex } from '../controller/akvs-index.js';

/**
 * akv2k8s's v2beta1 status cannot hold conditions, so for its objects they are a metric (and Events):
 * `akvsync_akv2k8s_object_condition{namespace,name,type,reason}` = 1 when the condition is True, 0 when not, read
 * from the agent's own view of each served spv.no object at scrape time (an object no longer served has no series).
 */
export function registerAkv2k8sConditionMetric(registry: Registry, index: AkvsIndex): void {
  new Gauge({
    name: 'akvsync_akv2k8s_object_condition',
    help: 'Conditions of the spv.no/v2beta1 AzureKeyVaultSecrets the agent serves (their status cannot hold conditions): 1 True, 0 otherwise',
    labelNames: ['namespace', 'name', 'type', 'reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const key of index.keys()) {
        for (const cr of index.crsFor(key)) {
          if (!isAkv2k8sObject(cr)) continue;
          for (const c of cr.status?.conditions ?? []) {
            this.set({ namespace: cr.metadata.namespace, name: cr.metadata.name, type: c.type, reason: c.reason }, c.status === 'True' ? 1 : 0);
          }
        }
      }
    },
  });
}
