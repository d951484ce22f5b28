/**
 * Every-replica component: watches the shared webhook-TLS Secret (list/watch with `metadata.name=<name>`, which RBAC
 * can limit to that name) and serves a changed certificate on new connections at once — no restart, and connections
 * already open keep theirs, so no admission is dropped. A pair that does not load is refused (logged by code) and the
 * running one kept. Every change is also passed on (the leader's rotator re-plans).
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { AkvsInformerSet } from '../adapters/akvs-informer.js';
import { describeFailure } from '../error-policy.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { WebhookTlsMaterial } from './webhook-tls-material.js';
import { storedWebhookTls } from './webhook-tls-secret.js';

export interface WebhookTlsWatchOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Installs the serving pair (throws a value-free error to refuse it). */
  readonly serve: (certPem: string, keyPem: string) => void;
  /** Every change of the Secret, after serve. */
  readonly onChange?: (material: WebhookTlsMaterial) => void;
  /** The Secret was deleted (the running certificate stays served until a new one arrives). */
  readonly onDeleted?: () => void;
}

export class WebhookTlsWatch implements Component {
  readonly name = 'webhook-tls-watch';
  readonly leaderOnly = false;
  private readonly informer: AkvsInformerSet;
  private served = '';

  constructor(private readonly options: WebhookTlsWatchOptions, initial: WebhookTlsMaterial) {
    this.served = initial.certPem + initial.keyPem;
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${options.name}`;
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> =>
      (await core.listNamespacedSecret({ namespace: options.namespace, fieldSelector })) as KubernetesListObject<KubernetesObject>;
    const onSecret = (o: unknown): void => this.changed(o as V1Secret);
    this.informer = new AkvsInformerSet({
      kubeConfig: options.kubeConfig, namespaces: [], fieldSelector, scheduler: options.scheduler, logger: options.logger,
      builtIn: { path: `/api/v1/namespaces/${options.namespace}/secrets`, name: `secret ${options.namespace}/${options.name}`, list },
      handlers: { upsert: onSecret, remove: () => options.onDeleted?.() },
    });
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  private changed(secret: V1Secret): void {
    const { material } = storedWebhookTls(secret);
    if (material.certPem + material.keyPem !== this.served) {
      try {
        this.options.serve(material.certPem, material.keyPem);
        this.served = material.certPem + material.keyPem;
        this.options.logger.info({ secret: `${this.options.namespace}/${this.options.name}` }, 'webhook serving certificate reloaded');
      } catch (error) {
        this.options.logger.warn({ secret: `${this.options.namespace}/${this.options.name}`, code: describeFailure(error).code }, 'webhook certificate refused; keeping the running one');
      }
    }
    this.options.onChange?.(material);
  }
}
