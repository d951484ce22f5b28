import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { AKVSYNC_GROUP, AKVS_KIND, AKVS_PLURAL } from '../../core/crd/azure-key-vault-secret.js';
import { FINALIZER_FIELD_MANAGER, OUTPUT_FINALIZER } from '../../core/crd/output-metadata.js';
import { akv2k8sStatusPatch, crResourceOf, isAkv2k8sObject } from '../../core/crd/akv2k8s-object.js';
import type { AkvsStatus, AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import type { Clock } from '../../core/ports/clock.js';
import type { OutputKind } from '../../core/crd/output-kind.js';
import { BUILT_IN_WORKLOAD_KINDS, WORKLOAD_KINDS, podTemplateOf, restartPatch } from '../../core/restart/workload-kinds.js';
import type { WorkloadKind } from '../../core/restart/workload-kinds.js';
import { toConfigMapData } from '../../core/sync/config-map-data.js';
import { TransientError } from '../../core/errors.js';
import { OUTPUT_CONTROLLER_TAKEN } from '../ports/cluster-api.js';
import type { ClusterApi, ClusterEvent, ExistingOutput, OutputApply, OutputRef, Workload, WorkloadRef } from '../ports/cluster-api.js';
import { existingOutput } from './existing-output.js';
import { KubeApiClients } from './kube-api-clients.js';
import { isKubeForbidden, isKubeNotFound, isOwnerReferenceInvalid, kubeError } from './kube-errors.js';

export const FIELD_MANAGER = 'akvsync';

/** ClusterApi over @kubernetes/client-node: server-side apply for outputs, the status subresource, core/v1 Events. */
export class KubeClusterApi implements ClusterApi {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly extensions: ApiextensionsV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly clients: KubeApiClients;

  constructor(
    kubeConfig: KubeConfig,
    private readonly clock: Clock,
    /** HMAC key of every data hash: the reconciler's. */
    private readonly dataHashKey: Uint8Array,
    private readonly instance = 'akvsync-agent',
    /** The workload kinds listed for restarts: the built-in ones, plus optional ones whose CRD is installed (Rollout). */
    private workloadKinds: readonly WorkloadKind[] = BUILT_IN_WORKLOAD_KINDS,
    /**
     * Called once when an optional kind cannot be listed (403: no rights on it; 404: its CRD was removed); it is then
     * left out until the agent restarts, and the other kinds are restarted as before.
     */
    private readonly onKindRefused: (kind: WorkloadKind, code: string) => void = () => undefined,
  ) {
    this.clients = new KubeApiClients(kubeConfig);
    this.core = this.clients.make(CoreV1Api);
    this.custom = this.clients.make(CustomObjectsApi);
    this.extensions = this.clients.make(ApiextensionsV1Api);
    this.objects = this.clients.objects();
  }

  /** Closes the pooled apiserver connections. */
  close(): Promise<void> {
    return this.clients.close();
  }

  async getOutput(ref: OutputRef): Promise<ExistingOutput | undefined> {
    const what = `get ${ref.kind} ${ref.namespace}/${ref.name}`;
    try {
      const object = ref.kind === 'Secret'
        ? await this.core.readNamespacedSecret({ name: ref.name, namespace: ref.namespace })
        : await this.core.readNamespacedConfigMap({ name: ref.name, namespace: ref.namespace });
      return existingOutput(ref, this.dataHashKey, object);
    } catch (error) {
      if (isKubeNotFound(error)) return undefined;
      throw kubeError(error, what);
    }
  }

  async listOutputs(kind: OutputKind, namespace: string, labelSelector: string): Promise<ExistingOutput[]> {
    try {
      const { items } = kind === 'Secret'
        ? await this.core.listNamespacedSecret({ namespace, labelSelector })
        : await this.core.listNamespacedConfigMap({ namespace, labelSelector });
      return items.map((o: V1Secret | V1ConfigMap) => existingOutput({ kind, namespace, name: o.metadata?.name ?? '' }, this.dataHashKey, o));
    } catch (error) {
      throw kubeError(error, `list ${kind}s in ${namespace}`);
    }
  }

  async applyOutput(o: OutputApply): Promise<void> {
    const metadata = {
      name: o.name,
      namespace: o.namespace,
      labels: { ...o.labels },
      annotations: { ...o.annotations },
      ...(o.owner ? { ownerReferences: [{ ...o.owner, blockOwnerDeletion: true }] } : {}),
    };
    const body: KubernetesObject & Record<string, unknown> =
      o.kind === 'Secret'
        ? { apiVersion: 'v1', kind: 'Secret', metadata, type: o.secretType ?? 'Opaque', data: mapValues(o.data, (b) => b.toString('base64')) }
        : { apiVersion: 'v1', kind: 'ConfigMap', metadata, ...configMapBody(o.data) };
    try {
      await this.objects.patch(body, undefined, undefined, o.fieldManager, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      if (o.owner?.controller && isOwnerReferenceInvalid(error)) {
        throw new TransientError(OUTPUT_CONTROLLER_TAKEN, `${o.kind} ${o.namespace}/${o.name} got another controller owner meanwhile`, { cause: kubeError(error, `apply ${o.kind}`) });
      }
      throw kubeError(error, `apply ${o.kind} ${o.namespace}/${o.name}`);
    }
  }

  async deleteOutput(ref: OutputRef, resourceVersion: string | undefined): Promise<void> {
    const request = { name: ref.name, namespace: ref.namespace, body: { preconditions: resourceVersion === undefined ? {} : { resourceVersion } } };
    try {
      if (ref.kind === 'Secret') await this.core.deleteNamespacedSecret(request);
      else await this.core.deleteNamespacedConfigMap(request);
    } catch (error) {
      if (isKubeNotFound(error)) return;
      throw kubeError(error, `delete ${ref.kind} ${ref.namespace}/${ref.name}`);
    }
  }

  async releaseOutput(ref: OutputRef, fieldManager: string, keep?: { secretType?: string | undefined; resourceVersion?: string | undefined }): Promise<void> {
    // The resourceVersion makes the apply a conditional update (never a create of an object deleted meanwhile); a
    // Secret's immutable `type` stays applied so releasing the keys never tries to reset it.
    const metadata = { name: ref.name, namespace: ref.namespace, ...(keep?.resourceVersion ? { resourceVersion: keep.resourceVersion } : {}) };
    const body: KubernetesObject & Record<string, unknown> = ref.kind === 'Secret'
      ? { apiVersion: 'v1', kind: 'Secret', metadata, ...(keep?.secretType ? { type: keep.secretType } : {}) }
      : { apiVersion: 'v1', kind: 'ConfigMap', metadata };
    try {
      await this.objects.patch(body, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      if (isKubeNotFound(error)) return;
      throw kubeError(error, `release ${ref.kind} ${ref.namespace}/${ref.name}`);
    }
  }

  async setFinalizer(cr: AzureKeyVaultSecret, present: boolean): Promise<void> {
    const body = {
      apiVersion: crResourceOf(cr).apiVersion, kind: AKVS_KIND,
      metadata: { name: cr.metadata.name, namespace: cr.metadata.namespace, uid: cr.metadata.uid, finalizers: present ? [OUTPUT_FINALIZER] : [] },
    };
    try {
      await this.objects.patch(body, undefined, undefined, FINALIZER_FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      if (!present && isKubeNotFound(error)) return;
      throw kubeError(error, `${present ? 'add' : 'remove'} finalizer of ${AKVS_KIND} ${cr.metadata.namespace}/${cr.metadata.name}`);
    }
  }

  async isCrdTerminating(): Promise<boolean> {
    try {
      const crd = await this.extensions.readCustomResourceDefinition({ name: `${AKVS_PLURAL}.${AKVSYNC_GROUP}` });
      return crd.metadata?.deletionTimestamp !== undefined;
    } catch (error) {
      if (isKubeNotFound(error)) return true;
      throw kubeError(error, `get CustomResourceDefinition ${AKVS_PLURAL}.${AKVSYNC_GROUP}`);
    }
  }

  /** akv2k8s's objects (spv.no) keep only their five v2beta1 fields: those are patched, and only when they move. */
  async patchStatus(cr: AzureKeyVaultSecret, status: AkvsStatus): Promise<void> {
    const { group, version, plural } = crResourceOf(cr);
    let body: { status: Record<string, unknown> };
    if (isAkv2k8sObject(cr)) {
      const patch = akv2k8sStatusPatch(cr.status, status);
      if (patch === undefined) return;
      body = { status: patch };
    } else {
      const removed = Object.keys(cr.status ?? {}).filter((k) => !Object.hasOwn(status, k));
      body = { status: { ...Object.fromEntries(removed.map((k) => [k, null])), ...status } };
    }
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace: cr.metadata.namespace, name: cr.metadata.name, body, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      throw kubeError(error, `patch status of ${AKVS_KIND} ${cr.metadata.namespace}/${cr.metadata.name}`);
    }
  }

  async recordEvent(cr: AzureKeyVaultSecret, event: ClusterEvent): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    try {
      await this.core.createNamespacedEvent({
        namespace: cr.metadata.namespace,
        body: {
          metadata: { generateName: `${cr.metadata.name}.`, namespace: cr.metadata.namespace },
          involvedObject: { apiVersion: crResourceOf(cr).apiVersion, kind: AKVS_KIND, name: cr.metadata.name, namespace: cr.metadata.namespace, uid: cr.metadata.uid },
          type: event.type,
          reason: event.reason,
          message: event.message.slice(0, 1024),
          source: { component: FIELD_MANAGER, host: this.instance },
          firstTimestamp: new Date(now),
          lastTimestamp: new Date(now),
          count: 1,
        },
      });
    } catch (error) {
      throw kubeError(error, `create Event for ${AKVS_KIND} ${cr.metadata.namespace}/${cr.metadata.name}`);
    }
  }

  async listWorkloads(namespace: string): Promise<Workload[]> {
    try {
      // From the apiserver's watch cache (resourceVersion 0): restarts are idempotent per data hash, so a list a few
      // milliseconds old at worst re-sends an annotation that is already there (no new rollout).
      const lists = await Promise.all(this.workloadKinds.map(async (kind) => {
        const { items } = await this.custom.listNamespacedCustomObject({ ...resourceOf(kind), namespace, resourceVersion: '0' }).catch((error: unknown) => {
          if (!WORKLOAD_KINDS[kind].optional || !(isKubeForbidden(error) || isKubeNotFound(error))) throw error;
          this.workloadKinds = this.workloadKinds.filter((k) => k !== kind);
          this.onKindRefused(kind, kubeError(error, `list ${kind}s`).code);
          return { items: [] };
        }) as { items: WorkloadObject[] };
        return items.map((w) => toWorkload(kind, namespace, w));
      }));
      return lists.flat();
    } catch (error) {
      throw kubeError(error, `list workloads in ${namespace}`);
    }
  }

  async patchPodTemplateAnnotation(ref: WorkloadRef, key: string, value: string): Promise<void> {
    try {
      await this.custom.patchNamespacedCustomObject(
        {
          ...resourceOf(ref.kind), namespace: ref.namespace, name: ref.name, fieldManager: FIELD_MANAGER,
          body: restartPatch(ref.kind, key, value, new Date(this.clock.now()).toISOString()),
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      throw kubeError(error, `patch ${ref.kind} ${ref.namespace}/${ref.name}`);
    }
  }
}

/** The API group, version and plural of a workload kind (core/restart/workload-kinds.ts). */
function resourceOf(kind: WorkloadKind): { group: string; version: string; plural: string } {
  const { apiVersion, plural } = WORKLOAD_KINDS[kind];
  const [group = '', version = ''] = apiVersion.split('/');
  return { group, version, plural };
}

interface WorkloadObject {
  metadata?: { name?: string; annotations?: Record<string, string> };
}

function toWorkload(kind: WorkloadKind, namespace: string, w: WorkloadObject): Workload {
  const template = (podTemplateOf(kind, w) ?? {}) as { metadata?: { annotations?: Record<string, string> }; spec?: unknown };
  return {
    kind,
    namespace,
    name: w.metadata?.name ?? '',
    annotations: w.metadata?.annotations ?? {},
    podTemplate: { annotations: template.metadata?.annotations ?? {}, spec: template.spec ?? {} },
  };
}

/** ConfigMap `data` must be UTF-8; anything else goes to `binaryData` (left out when empty, so no field is claimed). */
function configMapBody(data: Readonly<Record<string, Buffer>>): { data: Readonly<Record<string, string>>; binaryData?: Readonly<Record<string, string>> } {
  const split = toConfigMapData(data);
  return Object.keys(split.binaryData).length > 0 ? split : { data: split.data };
}

function mapValues<A, B>(o: Readonly<Record<string, A>>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
