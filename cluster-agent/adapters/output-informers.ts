import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../core/crd/annotations.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { OutputKind } from '../../core/crd/output-kind.js';
import type { ExistingOutput, OutputRef } from '../ports/cluster-api.js';
import type { Scheduler } from '../ports/scheduler.js';
import { AkvsInformerSet } from './akvs-informer.js';
import { existingOutput } from './existing-output.js';

export interface OutputWatchHandlers {
  /** An output changed (never called for the first list: the CR reconciles at start-up cover what is there). */
  changed(output: ExistingOutput): void;
  /** An output was deleted, or stopped carrying the managed-by label. */
  deleted(ref: OutputRef): void;
}

export interface OutputInformerOptions {
  readonly kubeConfig: KubeConfig;
  /** Empty: every namespace (one cluster-wide watch per kind). */
  readonly namespaces: readonly string[];
  /** HMAC key of the data hash, so a change is told from the agent's own write without handing values on. */
  readonly dataHashKey: Uint8Array;
  readonly handlers: OutputWatchHandlers;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

const SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
const KINDS: readonly OutputKind[] = ['Secret', 'ConfigMap'];

/**
 * List+watch of the Secrets and ConfigMaps the agent manages (label `akvsync.io/managed-by=akvsync`), per watched
 * namespace or cluster-wide, on AkvsInformerSet (its restart with backoff). Objects are turned into ExistingOutput
 * (owners, labels, keyed data hash) here, so the values stay in this adapter.
 */
export class OutputInformers {
  private readonly sets: AkvsInformerSet[] = [];

  constructor(private readonly options: OutputInformerOptions) {
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const scopes: (string | undefined)[] = options.namespaces.length > 0 ? [...options.namespaces] : [undefined];
    for (const kind of KINDS) {
      for (const namespace of scopes) this.sets.push(this.informer(core, kind, namespace));
    }
  }

  get synced(): boolean {
    return this.sets.every((s) => s.synced);
  }

  async start(): Promise<void> {
    await Promise.all(this.sets.map((s) => s.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.sets.map((s) => s.stop()));
  }

  private informer(core: CoreV1Api, kind: OutputKind, namespace: string | undefined): AkvsInformerSet {
    const plural = kind === 'Secret' ? 'secrets' : 'configmaps';
    const path = namespace ? `/api/v1/namespaces/${namespace}/${plural}` : `/api/v1/${plural}`;
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const labelSelector = SELECTOR;
      if (kind === 'Secret') return namespace ? core.listNamespacedSecret({ namespace, labelSelector }) : core.listSecretForAllNamespaces({ labelSelector });
      return namespace ? core.listNamespacedConfigMap({ namespace, labelSelector }) : core.listConfigMapForAllNamespaces({ labelSelector });
    };
    const { handlers, dataHashKey } = this.options;
    const refOf = (o: KubernetesObject): OutputRef => ({ kind, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' });
    // AkvsInformerSet hands objects on typed as CRs; these are Secrets/ConfigMaps.
    const asObject = (o: AzureKeyVaultSecret): V1Secret | V1ConfigMap => o as unknown as V1Secret | V1ConfigMap;
    let listed = false;
    return new AkvsInformerSet({
      kubeConfig: this.options.kubeConfig,
      namespaces: [],
      labelSelector: SELECTOR,
      builtIn: { path, name: `${plural} (${SELECTOR})`, list: async () => {
        const result = await list();
        // The informer emits one add per listed object synchronously once this resolves; only what comes after counts.
        setImmediate(() => void (listed = true));
        return result;
      } },
      scheduler: this.options.scheduler,
      logger: this.options.logger,
      handlers: {
        upsert: (o) => {
          if (!listed) return;
          const object = asObject(o);
          handlers.changed(existingOutput(refOf(object), dataHashKey, object));
        },
        remove: (o) => handlers.deleted(refOf(asObject(o))),
      },
    });
  }
}
