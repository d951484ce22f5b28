/**
 * File mode's part of the pod mutation (annotations: file-mode-annotations.ts): a memory-backed volume for the
 * files, mounted read-only into the pod's containers, and one container of our own — `akvsync-files`, the agent's
 * image running env-exec's `files` step — that writes them (each file write-then-rename, so a reader never sees half
 * a file). Without refresh it is an ordinary init container: the files exist before any container starts. With
 * refresh it is a native sidecar (an init container with `restartPolicy: Always`, Kubernetes ≥ 1.29) whose
 * startupProbe holds the containers back until the first write, and which then rewrites a file when its value is
 * rotated. The mutated spec holds names only (the plan), never a value.
 */
import type { AzureKeyVaultSecret } from '../crd/azure-key-vault-secret.js';
import { ENV_EXEC_INSTALL_CONTAINER, envExecLauncher } from './env-exec-layout.js';
import type { FileModeOptions } from './file-mode-annotations.js';
import { type PlannedVariable, planPlaceholder } from './injection-plan.js';
import type { EnvAuthMode, InjectionSettings } from './injection-settings.js';
import { restrictedSecurityContext } from './install-init-container.js';
import type { Container, Pod, Volume } from './pod-types.js';
import { agentTokenVolume, configEnv } from './wrap-container.js';

export const FILES_CONTAINER = 'akvsync-files';
export const FILES_VOLUME = 'akvsync-secret-files';
/** Bounds the memory the files may take (tmpfs counts against the pod's memory). */
export const FILES_VOLUME_SIZE_LIMIT = '8Mi';

/** Each requested file planned like an env variable (the file name in `env`); throws as planPlaceholder does. */
export function planFiles(options: FileModeOptions, akvsByName: ReadonlyMap<string, AzureKeyVaultSecret>): PlannedVariable[] {
  return options.requests.map((r) => planPlaceholder(`file '${r.file}'`, r.file, r.placeholder, akvsByName));
}

function filesContainer(options: FileModeOptions, plan: readonly PlannedVariable[], auth: EnvAuthMode, settings: InjectionSettings): { container: Container; volumes: Volume[] } {
  const volumes: Volume[] = [];
  const volumeMounts = [{ name: FILES_VOLUME, mountPath: options.path }];
  if (auth === 'agent') {
    const token = agentTokenVolume(FILES_CONTAINER, settings);
    volumeMounts.push(token.mount);
    volumes.push(token.volume);
  }
  const launch = envExecLauncher(settings.installSourceDir, 'files');
  const container: Container = {
    name: FILES_CONTAINER,
    image: settings.installImage,
    imagePullPolicy: 'IfNotPresent',
    command: [...launch, '--dir', options.path, ...(options.refresh ? ['--watch'] : [])],
    env: configEnv({ name: FILES_CONTAINER }, plan, auth, settings),
    volumeMounts,
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: restrictedSecurityContext(settings.installUser),
    ...(options.refresh ? {
      restartPolicy: 'Always',
      startupProbe: { exec: { command: [...envExecLauncher(settings.installSourceDir, 'files-ready'), '--dir', options.path] }, periodSeconds: 1, failureThreshold: 300 },
    } : {}),
  };
  return { container, volumes };
}

/** The pod with file mode added (mutatePod adds it once: `filesToAdd` skips a pod that has `akvsync-files`). */
export function addFileMode(pod: Pod, options: FileModeOptions, plan: readonly PlannedVariable[], auth: EnvAuthMode, settings: InjectionSettings): Pod {
  const initContainers = pod.spec.initContainers ?? [];
  const mountInto = (c: Container): Container => (options.containers !== undefined && !options.containers.includes(c.name) ? c
    : { ...c, volumeMounts: [...(c.volumeMounts ?? []), { name: FILES_VOLUME, mountPath: options.path, readOnly: true }] });
  const added = filesContainer(options, plan, auth, settings);
  // Before the pod's own init containers (they may read the files); after env-exec's install step if there is one.
  const [first, ...rest] = initContainers;
  const ordered = first?.name === ENV_EXEC_INSTALL_CONTAINER ? [first, added.container, ...rest.map(mountInto)] : [added.container, ...initContainers.map(mountInto)];
  const volumes = [...(pod.spec.volumes ?? [])];
  for (const volume of [{ name: FILES_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: FILES_VOLUME_SIZE_LIMIT } }, ...added.volumes]) {
    if (!volumes.some((v) => v.name === volume.name)) volumes.push(volume);
  }
  return { ...pod, spec: { ...pod.spec, initContainers: ordered, containers: pod.spec.containers.map(mountInto), volumes } };
}
