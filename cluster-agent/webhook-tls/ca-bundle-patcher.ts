/**
 * Keeps the `caBundle` of the agent's own MutatingWebhookConfiguration (by name; RBAC grants get/patch on that name
 * only) equal to the shared Secret's CA bundle: every webhook entry of it, with a strategic-merge patch keyed by the
 * entry's name, so nothing else of the configuration is touched (`helm upgrade` owns the rest, and renders no caBundle).
 */
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { AkvsInformerSet } from '../adapters/akvs-informer.js';
import { isKubeNotFound, kubeError } from '../adapters/kube-errors.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';

export type CaBundleResult = 'unchanged' | 'patched' | 'absent';

export interface CaBundlePatcher {
  readonly name: string;
  /** Makes every entry trust exactly `caBundlePem`; 'absent' when the configuration does not exist (yet). */
  ensure(caBundlePem: string): Promise<CaBundleResult>;
}

export function kubeCaBundlePatcher(kubeConfig: KubeConfig, name: string): CaBundlePatcher {
  const api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  return {
    name,
    async ensure(caBundlePem) {
      const wanted = Buffer.from(caBundlePem).toString('base64');
      let current;
      try {
        current = await api.readMutatingWebhookConfiguration({ name });
      } catch (error) {
        if (isKubeNotFound(error)) return 'absent';
        throw kubeError(error, `get MutatingWebhookConfiguration ${name}`);
      }
      const stale = (current.webhooks ?? []).filter((w) => bundleOf(w.clientConfig.caBundle) !== wanted);
      if (stale.length === 0) return 'unchanged';
      const body = { webhooks: stale.map((w) => ({ name: w.name, clientConfig: { caBundle: wanted } })) };
      try {
        await api.patchMutatingWebhookConfiguration({ name, body }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
      } catch (error) {
        if (isKubeNotFound(error)) return 'absent';
        throw kubeError(error, `patch MutatingWebhookConfiguration ${name}`);
      }
      return 'patched';
    },
  };
}

/** client-node hands caBundle (a byte field) back as base64 text. */
const bundleOf = (caBundle: unknown): string => (typeof caBundle === 'string' ? caBundle : caBundle instanceof Uint8Array ? Buffer.from(caBundle).toString('base64') : '');

/**
 * Leader-only: watches that one configuration (list/watch with `metadata.name=<name>`, which RBAC limits to the name),
 * so a configuration created after the agent (helm installs it after the Deployment) or re-applied without caBundle
 * is patched at once.
 */
export function webhookConfigurationWatch(kubeConfig: KubeConfig, name: string, onChange: () => void, scheduler: Scheduler, logger: Logger): Component {
  const api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const fieldSelector = `metadata.name=${name}`;
  const informer = new AkvsInformerSet({
    kubeConfig, namespaces: [], fieldSelector, scheduler, logger,
    builtIn: {
      path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', name: `mutatingwebhookconfiguration ${name}`,
      list: async () => (await api.listMutatingWebhookConfiguration({ fieldSelector })) as KubernetesListObject<KubernetesObject>,
    },
    handlers: { upsert: onChange, remove: () => undefined },
  });
  return { name: 'webhook-configuration-watch', leaderOnly: true, start: () => informer.start(), stop: () => informer.stop() };
}
