/**
 * One container rewritten to start env-exec: `command` = env-exec through its own loader, `args` = the original
 * argv; env-exec's configuration (names and URLs only, never a value) appended to `env`; env-exec's directory
 * mounted read-only; in agent mode, a projected ServiceAccount token whose audience names this container, mounted
 * into this container only.
 */
import { boundedName } from '../crd/bounded-name.js';
import { ENV_EXEC_CONFIG_PREFIX } from './compose-environment.js';
import {
  ENV_EXEC_MOUNT_PATH, ENV_EXEC_VOLUME, ENV_TOKEN_FILE, ENV_TOKEN_MOUNT_PATH, envExecLauncher,
} from './env-exec-layout.js';
import type { PlannedVariable } from './injection-plan.js';
import { ENV_TOKEN_EXPIRATION_SECONDS, type EnvAuthMode, type InjectionSettings } from './injection-settings.js';
import type { Container, EnvVar, Volume, VolumeMount } from './pod-types.js';

export interface WrappedContainer {
  readonly container: Container;
  /** Volumes this container needs beyond env-exec's own (agent mode: its token). */
  readonly volumes: Volume[];
}

/** The per-container token volume's name: unique per container, at most 63 characters. */
export const tokenVolumeName = (containerName: string): string => boundedName(`akvsync-env-token-${containerName}`, 63);

/** The projected token's audience for a container: what the agent checks (TokenReview) to bind a token to it. */
export const tokenAudience = (settings: InjectionSettings, containerName: string): string => `${settings.tokenAudiencePrefix}${containerName}`;

/** Agent mode: the projected token for this container only (its audience names the container), and its mount. */
export function agentTokenVolume(containerName: string, settings: InjectionSettings): { volume: Volume; mount: VolumeMount } {
  const name = tokenVolumeName(containerName);
  return {
    mount: { name, mountPath: ENV_TOKEN_MOUNT_PATH, readOnly: true },
    volume: {
      name,
      projected: {
        sources: [{ serviceAccountToken: { audience: tokenAudience(settings, containerName), expirationSeconds: ENV_TOKEN_EXPIRATION_SECONDS, path: ENV_TOKEN_FILE } }],
      },
    },
  };
}

/** env-exec's configuration variables for a container (names and URLs only): shared with file mode's container. */
export function configEnv(container: Pick<Container, 'name'>, plan: readonly PlannedVariable[], auth: EnvAuthMode, settings: InjectionSettings): EnvVar[] {
  const v = (name: string, value: string): EnvVar => ({ name: `${ENV_EXEC_CONFIG_PREFIX}${name}`, value });
  const env = [v('CONTAINER', container.name), v('AUTH', auth), v('PLAN', JSON.stringify(plan))];
  if (settings.extraCaPem !== undefined) env.push(v('EXTRA_CA', settings.extraCaPem));
  if (auth === 'agent') {
    env.push(v('AGENT_URL', settings.agentUrl), v('TOKEN_FILE', `${ENV_TOKEN_MOUNT_PATH}/${ENV_TOKEN_FILE}`));
  } else {
    if (settings.vaultUrlTemplate !== undefined) env.push(v('VAULT_URL_TEMPLATE', settings.vaultUrlTemplate));
    if (settings.vaultUrls !== undefined) env.push(v('VAULT_URLS', JSON.stringify(settings.vaultUrls)));
  }
  return env;
}

export function wrapContainer(
  container: Container, argv: readonly string[], plan: readonly PlannedVariable[], auth: EnvAuthMode, settings: InjectionSettings,
): WrappedContainer {
  const ownEnv = (container.env ?? []).filter((e) => !e.name.startsWith(ENV_EXEC_CONFIG_PREFIX));
  const mounts = [...(container.volumeMounts ?? []), { name: ENV_EXEC_VOLUME, mountPath: ENV_EXEC_MOUNT_PATH, readOnly: true }];
  const volumes: Volume[] = [];
  if (auth === 'agent') {
    const token = agentTokenVolume(container.name, settings);
    mounts.push(token.mount);
    volumes.push(token.volume);
  }
  return {
    container: {
      ...container,
      command: [...envExecLauncher(ENV_EXEC_MOUNT_PATH, 'run'), '--'],
      args: [...argv],
      env: [...ownEnv, ...configEnv(container, plan, auth, settings)],
      volumeMounts: mounts,
    },
    volumes,
  };
}
