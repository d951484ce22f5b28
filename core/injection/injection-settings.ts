/** The agent's settings that shape a mutated pod (no secrets here: everything ends up in the pod spec). */
import type { EnvExecDigests } from './env-exec-manifest.js';

export type EnvAuthMode = 'agent' | 'workload-identity';

export interface InjectionSettings {
  /** Image of the install init container (the agent's image, which carries env-exec). */
  readonly installImage: string;
  /** Directory of env-exec inside that image. */
  readonly installSourceDir: string;
  /**
   * sha256 (hex) of env-exec's manifest (every file of its directory) per architecture; the init container refuses
   * anything else than the digest of the architecture it runs on.
   */
  readonly envExecSha256: EnvExecDigests;
  /** The agent's namespace: never mutated. */
  readonly agentNamespace: string;
  /** Also accept akv2k8s's `azure-key-vault-env-injection: enabled` namespace label (migrations). */
  readonly acceptAkv2k8sLabel: boolean;
  /** Auth mode for pods without the `akvsync.io/env-auth` annotation. */
  readonly defaultAuth: EnvAuthMode;
  /** Agent mode: base URL of the agent's internal env endpoint (`POST <url>/v1/env`). */
  readonly agentUrl: string;
  /**
   * PEM CA certificates env-exec trusts besides its own (public data): the CA of the agent's serving certificate
   * (agent mode), or of a private Key Vault endpoint / TLS-inspecting proxy (workload-identity mode).
   */
  readonly extraCaPem?: string;
  /** Audience of the projected token is this prefix plus the container name. */
  readonly tokenAudiencePrefix: string;
  /** Workload-identity mode: Key Vault URL template (`{vault}`), for sovereign clouds; absent = https://{vault}.vault.azure.net */
  readonly vaultUrlTemplate?: string;
  /** Workload-identity mode: per-vault URL overrides (JSON map vault → URL), e.g. a private endpoint. */
  readonly vaultUrls?: Readonly<Record<string, string>>;
  /** UID/GID the install init container runs as (non-root). */
  readonly installUser: number;
}

export const DEFAULT_TOKEN_AUDIENCE_PREFIX = 'akvsync.io/env-exec/';
export const DEFAULT_INSTALL_USER = 65532;
/** Projected token lifetime: the minimum Kubernetes allows; env-exec reads it once at start. */
export const ENV_TOKEN_EXPIRATION_SECONDS = 600;
