/**
 * The env-injection webhook's settings (AKVSYNC_WEBHOOK_*, AKVSYNC_ENV_*, AKVSYNC_REGISTRY_*; docs/agent.md). Off
 * unless AKVSYNC_WEBHOOK_ENABLED; when on, env-exec's install image is required, and its TLS is the agent's own
 * (a CA and certificate in a Secret it rotates) or mounted files (../webhook-tls/webhook-tls-config.ts); env-exec's
 * digests come from AKVSYNC_ENV_EXEC_SHA256 or, unset, from the bundles in the agent's image (env-exec-bundles.ts).
 * Files are read here, so a missing one fails start-up. The agent's namespace and Key Vault URLs are added when wired.
 */
import { TerminalError } from '../../core/errors.js';
import { type EnvExecDigests, parseDigestPins } from '../../core/injection/env-exec-manifest.js';
import type { EnvAuthMode, InjectionSettings } from '../../core/injection/injection-settings.js';
import { DEFAULT_INSTALL_USER, DEFAULT_TOKEN_AUDIENCE_PREFIX } from '../../core/injection/injection-settings.js';
import type { RegistryMirror } from '../../core/images/registry-mirrors.js';
import { loadWebhookTlsConfig, type WebhookTlsConfig } from '../webhook-tls/webhook-tls-config.js';
import { ConfigError, parseBool, parseDuration, parseHost, parseInteger, parseJsonMap, parseUrl } from '../config-values.js';

export interface WebhookConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: WebhookTlsConfig;
  readonly maxBodyBytes: number;
  readonly commandFailurePolicy: 'open' | 'closed';
  /** InjectionSettings without what the agent knows at wiring time (env-exec's digests: from `envExec`). */
  readonly injection: Omit<InjectionSettings, 'agentNamespace' | 'vaultUrlTemplate' | 'vaultUrls' | 'envExecSha256'>;
  /** Where env-exec's bundles are (`<dir>/<arch>/`, served and hashed), and the digests to pin instead of theirs. */
  readonly envExec: { readonly bundlesDir: string; readonly sha256?: EnvExecDigests };
  readonly registry: { readonly timeoutMs: number; readonly mirrors: readonly RegistryMirror[]; readonly extraCaPem: readonly string[] };
}

export const DEFAULT_WEBHOOK_PORT = 9443;
export const DEFAULT_MAX_BODY_BYTES = 4 << 20;
/** In the agent image: env-exec of every architecture, and a link to the image's own (scripts/image/build-rootfs.sh). */
export const DEFAULT_ENV_EXEC_BUNDLES = '/opt/akvsync/env-exec';
export const DEFAULT_ENV_EXEC_INSTALL_DIR = '/opt/akvsync/env-exec/native';

export function loadWebhookConfig(get: (name: string) => string | undefined, file: (name: string) => string | undefined): WebhookConfig | undefined {
  if (!parseBool('AKVSYNC_WEBHOOK_ENABLED', get('AKVSYNC_WEBHOOK_ENABLED'), false)) return undefined;
  const required = (name: string, why: string): string => {
    const v = get(name);
    if (v === undefined) throw new ConfigError(name, `is required with AKVSYNC_WEBHOOK_ENABLED=true: ${why}`);
    return v;
  };

  const failure = get('AKVSYNC_WEBHOOK_COMMAND_FAILURE_POLICY') ?? 'closed';
  if (failure !== 'open' && failure !== 'closed') throw new ConfigError('AKVSYNC_WEBHOOK_COMMAND_FAILURE_POLICY', 'must be open or closed');
  const defaultAuth = get('AKVSYNC_ENV_DEFAULT_AUTH') ?? 'agent';
  if (defaultAuth !== 'agent' && defaultAuth !== 'workload-identity') throw new ConfigError('AKVSYNC_ENV_DEFAULT_AUTH', 'must be agent or workload-identity');
  const pins = get('AKVSYNC_ENV_EXEC_SHA256');
  let sha256: EnvExecDigests | undefined;
  try {
    sha256 = pins === undefined ? undefined : parseDigestPins(pins.toLowerCase().split(',').map((p) => p.trim()));
  } catch (error) {
    throw new ConfigError('AKVSYNC_ENV_EXEC_SHA256', `must be amd64=<sha256>[,arm64=<sha256>]: ${error instanceof TerminalError ? error.message : 'unreadable'}`);
  }
  const extraCaPem = file('AKVSYNC_ENV_CA_FILE');
  const registryCa = file('AKVSYNC_REGISTRY_CA_FILE');

  return {
    host: parseHost('AKVSYNC_WEBHOOK_HOST', get('AKVSYNC_WEBHOOK_HOST') ?? '0.0.0.0'),
    port: parseInteger('AKVSYNC_WEBHOOK_PORT', get('AKVSYNC_WEBHOOK_PORT'), DEFAULT_WEBHOOK_PORT, 0, 65535),
    tls: loadWebhookTlsConfig(get, file),
    maxBodyBytes: parseInteger('AKVSYNC_WEBHOOK_MAX_BODY_BYTES', get('AKVSYNC_WEBHOOK_MAX_BODY_BYTES'), DEFAULT_MAX_BODY_BYTES, 1024, 64 << 20),
    commandFailurePolicy: failure,
    injection: {
      installImage: required('AKVSYNC_ENV_EXEC_IMAGE', 'the image the install init container runs (the agent\'s image)'),
      installSourceDir: get('AKVSYNC_ENV_EXEC_DIR') ?? DEFAULT_ENV_EXEC_INSTALL_DIR,
      acceptAkv2k8sLabel: parseBool('AKVSYNC_INJECTION_ACCEPT_AKV2K8S_LABEL', get('AKVSYNC_INJECTION_ACCEPT_AKV2K8S_LABEL'), false),
      defaultAuth: defaultAuth as EnvAuthMode,
      agentUrl: parseUrl('AKVSYNC_ENV_AGENT_URL', required('AKVSYNC_ENV_AGENT_URL', 'env-exec asks the agent for values there (agent mode)'), ['https:']).replace(/\/+$/, ''),
      ...(extraCaPem !== undefined ? { extraCaPem } : {}),
      tokenAudiencePrefix: get('AKVSYNC_ENV_TOKEN_AUDIENCE_PREFIX') ?? DEFAULT_TOKEN_AUDIENCE_PREFIX,
      installUser: parseInteger('AKVSYNC_ENV_INSTALL_USER', get('AKVSYNC_ENV_INSTALL_USER'), DEFAULT_INSTALL_USER, 1, 2 ** 31 - 1),
    },
    envExec: { bundlesDir: get('AKVSYNC_ENV_EXEC_BUNDLES') ?? DEFAULT_ENV_EXEC_BUNDLES, ...(sha256 ? { sha256 } : {}) },
    registry: {
      timeoutMs: parseDuration('AKVSYNC_REGISTRY_TIMEOUT', get('AKVSYNC_REGISTRY_TIMEOUT'), 5000, 100),
      mirrors: Object.entries(parseJsonMap('AKVSYNC_REGISTRY_MIRRORS', get('AKVSYNC_REGISTRY_MIRRORS'))).map(([registry, mirror]) => ({ registry, mirror })),
      extraCaPem: registryCa !== undefined ? [registryCa] : [],
    },
  };
}
