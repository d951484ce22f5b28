/**
 * The init container that installs env-exec into the pod's shared volume: the agent's image runs env-exec's own
 * `install` step, which copies env-exec's directory into the volume and refuses to finish unless its manifest's
 * sha256 is the digest the webhook pinned here. No shell needed; passes Pod Security `restricted`.
 */
import { ENV_EXEC_INSTALL_CONTAINER, ENV_EXEC_MOUNT_PATH, ENV_EXEC_VOLUME, envExecLauncher } from './env-exec-layout.js';
import type { InjectionSettings } from './injection-settings.js';
import type { Container, Volume } from './pod-types.js';

export function installInitContainer(settings: InjectionSettings): Container {
  return {
    name: ENV_EXEC_INSTALL_CONTAINER,
    image: settings.installImage,
    imagePullPolicy: 'IfNotPresent',
    command: [...envExecLauncher(settings.installSourceDir, 'install'), '--to', ENV_EXEC_MOUNT_PATH, '--sha256', settings.envExecSha256],
    volumeMounts: [{ name: ENV_EXEC_VOLUME, mountPath: ENV_EXEC_MOUNT_PATH }],
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: restrictedSecurityContext(settings.installUser),
  };
}

/** What Pod Security `restricted` asks of a container we add (the install step; file mode's container). */
export const restrictedSecurityContext = (user: number): Record<string, unknown> => ({
  runAsNonRoot: true,
  runAsUser: user,
  runAsGroup: user,
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

/**
 * env-exec's volume: disk-backed (the binary is ~100 MB; a memory-backed emptyDir would count against the pod's
 * memory limit). It holds no secret: values live only in the program's memory.
 */
export const envExecVolume = (): Volume => ({ name: ENV_EXEC_VOLUME, emptyDir: {} });
