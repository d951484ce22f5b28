import { CustomObjectsApi, ListWatch, makeInformer, Watch } from '@kubernetes/client-node';
import type { Informer, KubeConfig, KubernetesListObject, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { AKVSYNC_GROUP, AKVS_PLURAL, AKVS_VERSION } from '../../core/crd/azure-key-vault-secret.js';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { Scheduler } from '../ports/scheduler.js';
import { backoffDelayMs, decideFirstListRetry, defaultFirstListRetry } from '../error-policy.js';
import { kubeError } from './kube-errors.js';

export interface AkvsWatchHandlers {
  upsert(cr: AzureKeyVaultSecret): void;
  remove(cr: AzureKeyVaultSecret): void;
}

export interface AkvsInformerOptions {
  readonly kubeConfig: KubeConfig;
  /** Empty: every namespace. */
  readonly namespaces: readonly string[];
  /** Only CRs matching this label selector are listed and watched (a CR that stops matching is seen as deleted). */
  readonly labelSelector?: string | undefined;
  readonly handlers: AkvsWatchHandlers;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** First reconnect delay after a watch/list error; doubles up to maxReconnectDelayMs. */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** How many 404s of the first list are retried before start-up fails (the CRD not served yet); default 5. */
  readonly maxNotFoundRetries?: number;
  /** The custom resource to watch; default azurekeyvaultsecrets.akvsync.io/v1 (tests watch a throwaway CRD). */
  readonly resource?: { readonly group: string; readonly version: string; readonly plural: string };
  /**
   * A built-in resource instead (cluster-wide), e.g. namespaces: its watch path and list call, and a field selector
   * both use (e.g. `metadata.name=<ns>`, so rights limited by resourceNames suffice).
   */
  readonly builtIn?: { readonly path: string; readonly name: string; readonly fieldSelector?: string; list(): Promise<KubernetesListObject<KubernetesObject>> };
}

const AKVS_RESOURCE = { group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: AKVS_PLURAL };

type AkvsInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
const asAkvs = (o: KubernetesObject): AzureKeyVaultSecret => o as unknown as AzureKeyVaultSecret;

/**
 * List+watch of azurekeyvaultsecrets.akvsync.io (one informer for the cluster, or one per watched namespace), or of
 * another resource (`resource`, `builtIn`).
 * client-node re-lists on 410 Gone and reconnects after a timeout; after any other error it stops, so this restarts
 * it with capped exponential backoff. `synced` turns true once every informer has listed (what /readyz reports).
 */
export class AkvsInformerSet {
  private readonly informers: AkvsInformer[] = [];
  private readonly syncedFlags: boolean[] = [];
  private stopped = false;
  private readonly cancels = new Set<() => void>();

  constructor(private readonly options: AkvsInformerOptions) {}

  get synced(): boolean {
    return this.syncedFlags.length > 0 && this.syncedFlags.every(Boolean);
  }

  /** Starts watching; resolves once every informer has done its first list. */
  async start(): Promise<void> {
    const api = this.options.kubeConfig.makeApiClient(CustomObjectsApi);
    const scopes: (string | undefined)[] = this.options.namespaces.length > 0 ? [...this.options.namespaces] : [undefined];
    await Promise.all(scopes.map((namespace, i) => this.startOne(api, namespace, i)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    await Promise.all(this.informers.map((inf) => inf.stop()));
  }

  private async startOne(api: CustomObjectsApi, namespace: string | undefined, i: number): Promise<void> {
    const { group, version, plural } = this.options.resource ?? AKVS_RESOURCE;
    const builtIn = this.options.builtIn;
    const path = builtIn?.path ?? (namespace ? `/apis/${group}/${version}/namespaces/${namespace}/${plural}` : `/apis/${group}/${version}/${plural}`);
    const labelSelector = this.options.labelSelector;
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const result: unknown = builtIn
        ? await builtIn.list()
        : namespace
          ? await api.listNamespacedCustomObject({ group, version, plural, namespace, labelSelector })
          : await api.listClusterCustomObject({ group, version, plural, labelSelector });
      this.syncedFlags[i] = true;
      return result as KubernetesListObject<KubernetesObject>;
    };
    const informer: AkvsInformer = builtIn?.fieldSelector === undefined
      ? makeInformer<KubernetesObject>(this.options.kubeConfig, path, list, labelSelector)
      : new ListWatch<KubernetesObject>(path, new Watch(this.options.kubeConfig), list, false, labelSelector, builtIn.fieldSelector);
    this.informers[i] = informer;
    this.syncedFlags[i] = false;
    const { handlers, logger } = this.options;
    informer.on('add', (cr) => handlers.upsert(asAkvs(cr)));
    informer.on('update', (cr) => handlers.upsert(asAkvs(cr)));
    informer.on('delete', (cr) => handlers.remove(asAkvs(cr)));
    const baseDelay = this.options.reconnectDelayMs ?? 1000;
    const maxDelay = this.options.maxReconnectDelayMs ?? 30_000;
    const backoff = { baseDelayMs: baseDelay, maxDelayMs: maxDelay };
    let restarts = 0;
    let initial = true;
    let lastError: unknown;
    const restartLater = (): void => {
      const cancel = this.options.scheduler.schedule(backoffDelayMs(restarts++, backoff), () => {
        this.cancels.delete(cancel);
        if (!this.stopped) informer.start().catch((e: unknown) => logger.warn({ code: kubeError(e, `watch ${path}`).code }, 'informer restart failed'));
      });
      this.cancels.add(cancel);
    };
    informer.on('connect', () => {
      restarts = 0;
    });
    informer.on('error', (error) => {
      lastError = error;
      if (this.stopped || initial) return;
      logger.warn({ code: kubeError(error, `watch ${path}`).code, path, retryInMs: backoffDelayMs(restarts, backoff) }, 'informer stopped; restarting');
      restartLater();
    });
    // The first list is retried while it fails transiently (e.g. 429 while a new CRD's storage comes up) and, a few
    // times, on 404 (a CRD just Established but not served yet); RBAC refusals and a CRD that stays absent fail start-up.
    const policy = { ...backoff, maxNotFoundRetries: this.options.maxNotFoundRetries ?? defaultFirstListRetry.maxNotFoundRetries };
    for (let failures = 1; ; failures++) {
      lastError = undefined;
      await informer.start();
      if (this.syncedFlags[i]) break;
      const mapped = kubeError(lastError, `list ${path}`);
      const decision = decideFirstListRetry(mapped, failures, builtIn?.name ?? `${plural}.${group}/${version}`, policy);
      if (decision.action === 'fail') throw decision.error;
      if (this.stopped) throw mapped;
      logger.warn({ code: mapped.code, path, retryInMs: decision.delayMs }, 'first list failed; retrying');
      await this.sleep(decision.delayMs);
      if (this.stopped) throw mapped;
    }
    initial = false;
    if (lastError !== undefined && !this.stopped) restartLater();
  }

  /** Waits `ms` on the scheduler; stop() ends the wait early. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancelTimer = this.options.scheduler.schedule(ms, () => {
        this.cancels.delete(cancel);
        resolve();
      });
      const cancel = (): void => {
        cancelTimer();
        resolve();
      };
      this.cancels.add(cancel);
    });
  }
}
