import type { OutputKind } from './output-kind.js';

/**
 * The AzureKeyVaultSecret custom resource (group akvsync.io, version v1). Its spec is a superset of akv2k8s's
 * `spv.no/v2beta1`, so migrating is a one-line `apiVersion` change; see docs/crd.md.
 * The JSON schema for these shapes lives in ./akvs-schema.ts (one source of truth for the CRD and validation).
 */

export const AKVSYNC_GROUP = 'akvsync.io';
export const AKVS_VERSION = 'v1';
export const AKVS_API_VERSION = `${AKVSYNC_GROUP}/${AKVS_VERSION}`;
export const AKVS_PLURAL = 'azurekeyvaultsecrets';
export const AKVS_SINGULAR = 'azurekeyvaultsecret';
export const AKVS_KIND = 'AzureKeyVaultSecret';
export const AKVS_LIST_KIND = 'AzureKeyVaultSecretList';
export const AKVS_SHORT_NAMES: readonly string[] = ['akvs'];
export const AKVS_CATEGORIES: readonly string[] = ['akvsync'];
/** akv2k8s's group/version; the agent can serve existing objects of that CRD unchanged. */
export const AKV2K8S_API_VERSION = 'spv.no/v2beta1';

export const AKVS_OBJECT_TYPES = ['secret', 'certificate', 'key', 'multi-key-value-secret'] as const;
export type AkvsObjectType = (typeof AKVS_OBJECT_TYPES)[number];

export const AKVS_CONTENT_TYPES = ['application/x-json', 'application/x-yaml'] as const;
export type AkvsContentType = (typeof AKVS_CONTENT_TYPES)[number];

export const AKVS_TRANSFORMS = ['trim', 'base64encode', 'base64decode'] as const;
export type AkvsTransform = (typeof AKVS_TRANSFORMS)[number];

export const AKVS_KEY_FORMATS = ['pem', 'jwk'] as const;
/** How a `key` object is written: its public key as SPKI PEM (default) or as a JWK (JSON). */
export type AkvsKeyFormat = (typeof AKVS_KEY_FORMATS)[number];

export const AKVS_DELETION_POLICIES = ['Delete', 'Retain'] as const;
/** `Delete` (the default when absent): the output is owned by the CR and goes with it. `Retain`: it stays. */
export type AkvsDeletionPolicy = (typeof AKVS_DELETION_POLICIES)[number];

export interface AkvsVaultObject {
  /** Key Vault object name. */
  name: string;
  type: AkvsObjectType;
  /** Pin a version; absent = latest. */
  version?: string;
  /** How a `multi-key-value-secret` is parsed; absent = the Key Vault secret's own content type. */
  contentType?: AkvsContentType;
}

export interface AkvsVault {
  /** Key Vault name (not URL). */
  name: string;
  object: AkvsVaultObject;
  /** akv2k8s: the (aad-pod-identity) identity to use for this object. Accepted for compatibility. */
  azureIdentity?: { name: string };
}

export interface AkvsSecretOutput {
  /** Kubernetes Secret name, in the CR's namespace. */
  name: string;
  /** Kubernetes Secret type; absent = Opaque. */
  type?: string;
  /** The data key for single-value outputs (required for Opaque/custom types). */
  dataKey?: string;
  /** akv2k8s: put the server certificate first. akvsync always writes the chain leaf first, so it changes nothing. */
  chainOrder?: 'ensureserverfirst';
  /** kubernetes.io/tls outputs of certificates (or PFX/PEM secrets): also write `ca.crt`, the top of the chain. */
  includeCaCert?: boolean;
}

export interface AkvsConfigMapOutput {
  name: string;
  dataKey?: string;
}

export interface AkvsOutput {
  secret?: AkvsSecretOutput;
  configMap?: AkvsConfigMapOutput;
  /** Applied in order to a `secret` object's value. */
  transform?: AkvsTransform[];
  /** `key` objects only: `pem` (default, SPKI `PUBLIC KEY`) or `jwk`. */
  keyFormat?: AkvsKeyFormat;
}

export interface AkvsSpec {
  vault: AkvsVault;
  /** Absent: env-injection only; nothing is written. */
  output?: AkvsOutput;
  /** akvsync addition; absent = Delete. */
  deletionPolicy?: AkvsDeletionPolicy;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Condition types the agent writes. `Expiring` surfaces Key Vault NearExpiry/Expired events. */
export const AKVS_CONDITION_TYPES = { ready: 'Ready', synced: 'Synced', expiring: 'Expiring' } as const;
export type AkvsConditionType = (typeof AKVS_CONDITION_TYPES)[keyof typeof AKVS_CONDITION_TYPES];

/** Same shape as metav1.Condition. `message` never contains a secret value. */
export interface Condition {
  type: AkvsConditionType;
  status: ConditionStatus;
  /** CamelCase, machine-readable (e.g. `Synced`, `TransformFailed`, `ObjectNotFound`). */
  reason: string;
  message: string;
  /** RFC 3339. */
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface AkvsStatus {
  conditions?: Condition[];
  /** metadata.generation of the spec the status describes. */
  observedGeneration?: number;
  /** Key Vault version last written to the output. */
  syncedVersion?: string;
  /**
   * RFC 3339: the Key Vault `updated` time of the synced version (what a properties listing shows; listings carry no
   * versions). A new leader or a restarted agent reads only the objects whose listing shows another time.
   */
  syncedUpdatedTime?: string;
  /** dataHash() of the output data last written (hex; keyed when the agent has a hash key). */
  dataHash?: string;
  /** Which data-hash key made `dataHash` (a fingerprint): after a key change the catch-up rewrites every output. */
  dataHashKeyId?: string;
  /** 'Secret' | 'ConfigMap' and name of the output last written. */
  outputKind?: OutputKind;
  outputName?: string;
  /** RFC 3339: last successful reconcile (written or confirmed unchanged). */
  lastSyncTime?: string;
  /** RFC 3339: last time the output data actually changed. */
  lastChangeTime?: string;
  /** Last error message (never a secret value); cleared on success. */
  lastError?: string;
  /** RFC 3339: expiry of the synced Key Vault version, when it has one. */
  expiresOn?: string;
}

export interface AkvsMetadata {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

export interface AzureKeyVaultSecret {
  apiVersion: string;
  kind: string;
  metadata: AkvsMetadata;
  spec: AkvsSpec;
  status?: AkvsStatus;
}
