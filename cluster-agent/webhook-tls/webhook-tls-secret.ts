/**
 * The Secret in the agent's namespace that the replicas share for the webhook's certificates. Created only when absent
 * (a 409 means another replica won, and its contents are read back); replaced only with the resourceVersion it was
 * read at (optimistic concurrency: a 409 means read again and re-plan). Errors name the Secret, never its data.
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { isKubeConflict, isKubeNotFound, kubeError } from '../adapters/kube-errors.js';
import { MATERIAL_KEYS, type WebhookTlsMaterial } from './webhook-tls-material.js';

/** Set it to an RFC 3339 time to retire every CA issued before it (a forced rotation, with overlap). */
export const ROTATE_CA_BEFORE_ANNOTATION = 'akvsync.io/rotate-ca-before';

export type WebhookTlsSecretApi = Pick<CoreV1Api, 'readNamespacedSecret' | 'createNamespacedSecret' | 'replaceNamespacedSecret'>;

export interface StoredWebhookTls {
  readonly material: WebhookTlsMaterial;
  readonly resourceVersion: string;
  /** From the annotation; undefined when absent or not a time. */
  readonly rotateCaBeforeMs: number | undefined;
  /** Kept on replace (the rotation request among them). */
  readonly annotations: Readonly<Record<string, string>>;
}

export function storedWebhookTls(secret: V1Secret): StoredWebhookTls {
  const decode = (key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  const material = Object.fromEntries(Object.entries(MATERIAL_KEYS).map(([field, key]) => [field, decode(key)])) as unknown as WebhookTlsMaterial;
  const raw = secret.metadata?.annotations?.[ROTATE_CA_BEFORE_ANNOTATION];
  const parsed = raw === undefined ? Number.NaN : Date.parse(raw);
  return { material, resourceVersion: secret.metadata?.resourceVersion ?? '', rotateCaBeforeMs: Number.isFinite(parsed) ? parsed : undefined, annotations: secret.metadata?.annotations ?? {} };
}

export class WebhookTlsSecret {
  constructor(private readonly api: WebhookTlsSecretApi, readonly namespace: string, readonly name: string) {}

  async read(): Promise<StoredWebhookTls | undefined> {
    try {
      return storedWebhookTls(await this.api.readNamespacedSecret({ namespace: this.namespace, name: this.name }));
    } catch (error) {
      if (isKubeNotFound(error)) return undefined;
      throw kubeError(error, `get Secret ${this.namespace}/${this.name}`);
    }
  }

  /** false: it existed already (another replica created it). */
  async create(material: WebhookTlsMaterial): Promise<boolean> {
    try {
      await this.api.createNamespacedSecret({ namespace: this.namespace, body: this.body(material) });
      return true;
    } catch (error) {
      if (isKubeConflict(error)) return false;
      throw kubeError(error, `create Secret ${this.namespace}/${this.name}`);
    }
  }

  /** false: it changed since `read` (re-read and re-plan). Its annotations are kept. */
  async replace(material: WebhookTlsMaterial, read: StoredWebhookTls): Promise<boolean> {
    try {
      const body = this.body(material);
      body.metadata = { ...body.metadata, resourceVersion: read.resourceVersion, annotations: { ...read.annotations, ...body.metadata?.annotations } };
      await this.api.replaceNamespacedSecret({ namespace: this.namespace, name: this.name, body });
      return true;
    } catch (error) {
      if (isKubeConflict(error)) return false;
      throw kubeError(error, `replace Secret ${this.namespace}/${this.name}`);
    }
  }

  private body(material: WebhookTlsMaterial): V1Secret {
    return {
      metadata: {
        name: this.name, namespace: this.namespace,
        labels: { 'app.kubernetes.io/name': 'akvsync', 'app.kubernetes.io/component': 'webhook-tls' },
        annotations: { 'akvsync.io/purpose': 'CA and serving certificate of the env-injection webhook; managed by the agent (leader), shared by its replicas' },
      },
      type: 'kubernetes.io/tls',
      data: Object.fromEntries(Object.entries(MATERIAL_KEYS).map(([field, key]) => [key, Buffer.from(material[field as keyof WebhookTlsMaterial]).toString('base64')])),
    };
  }
}
