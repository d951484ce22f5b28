/**
 * The webhook's pure decision: (pod, namespace, the AzureKeyVaultSecrets of that namespace, the image commands of
 * containers without `command`, settings) → the mutated pod, or why it is left unchanged. Deterministic and
 * idempotent: mutating a mutated pod changes nothing (reinvocation). The result holds no secret value — only
 * placeholders, AzureKeyVaultSecret/vault/object names and env-exec's configuration.
 * Throws TerminalError for a pod that asks for something it cannot have (see planContainer, originalCommand).
 */
import type { AzureKeyVaultSecret } from '../crd/azure-key-vault-secret.js';
import { TerminalError } from '../errors.js';
import {
  AKV2K8S_ENV_BINARY, AKV2K8S_INJECTION_LABEL, ENV_AUTH_ANNOTATION, ENV_EXEC_INSTALL_CONTAINER, ENV_EXEC_MOUNT_PATH,
  INJECTION_LABEL, envExecLauncher,
} from './env-exec-layout.js';
import { type FileModeOptions, fileModeOptions } from './file-mode-annotations.js';
import { addFileMode, FILES_CONTAINER, planFiles } from './file-mode-mutation.js';
import { hasPlaceholders, planContainer } from './injection-plan.js';
import type { EnvAuthMode, InjectionSettings } from './injection-settings.js';
import { envExecVolume, installInitContainer } from './install-init-container.js';
import { type ImageCommand, originalCommand } from './original-command.js';
import type { Container, NamespaceInfo, Pod, Volume } from './pod-types.js';
import { wrapContainer } from './wrap-container.js';

export interface MutationInput {
  readonly pod: Pod;
  readonly namespace: NamespaceInfo;
  /** The AzureKeyVaultSecrets of the pod's namespace (at least those its placeholders name). */
  readonly akvs: readonly AzureKeyVaultSecret[];
  /** ENTRYPOINT/CMD by container name, for the containers `containersToWrap` lists without a `command`. */
  readonly imageCommands: ReadonlyMap<string, ImageCommand>;
  readonly settings: InjectionSettings;
}

export type MutationResult =
  | { readonly outcome: 'mutated'; readonly pod: Pod; readonly containers: readonly string[] }
  | { readonly outcome: 'unchanged'; readonly reason: string };

/** The namespace opted in, and is not the agent's own. */
export function injectionEnabled(namespace: NamespaceInfo, settings: Pick<InjectionSettings, 'agentNamespace' | 'acceptAkv2k8sLabel'>): boolean {
  if (namespace.name === settings.agentNamespace) return false;
  if (namespace.labels[INJECTION_LABEL] === 'enabled') return true;
  return settings.acceptAkv2k8sLabel && namespace.labels[AKV2K8S_INJECTION_LABEL] === 'enabled';
}

const OUR_LOADER = envExecLauncher(ENV_EXEC_MOUNT_PATH, 'run')[0];

/** Already started through env-exec (ours: reinvocation) or through akv2k8s's injector (never stack two). */
const alreadyWrapped = (c: Container): boolean => c.command?.[0] === OUR_LOADER || c.command?.[0] === AKV2K8S_ENV_BINARY;

/** Init containers first, then containers: the ones with placeholders that are not wrapped yet. */
export function containersToWrap(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers]
    .filter((c) => c.name !== ENV_EXEC_INSTALL_CONTAINER && c.name !== FILES_CONTAINER && !alreadyWrapped(c) && hasPlaceholders(c));
}

function authMode(pod: Pod, settings: InjectionSettings): EnvAuthMode {
  const value = pod.metadata?.annotations?.[ENV_AUTH_ANNOTATION];
  if (value === undefined) return settings.defaultAuth;
  if (value === 'agent' || value === 'workload-identity') return value;
  throw new TerminalError('InvalidAnnotation', `annotation ${ENV_AUTH_ANNOTATION}: '${value.slice(0, 64)}' is not 'agent' or 'workload-identity'`);
}

/** File mode is asked for and not added yet (reinvocation leaves a mutated pod alone). */
export function filesToAdd(pod: Pod): FileModeOptions | undefined {
  const options = fileModeOptions(pod);
  return options !== undefined && !(pod.spec.initContainers ?? []).some((c) => c.name === FILES_CONTAINER) ? options : undefined;
}

export function mutatePod(input: MutationInput): MutationResult {
  const { pod, namespace, settings } = input;
  if (!injectionEnabled(namespace, settings)) return { outcome: 'unchanged', reason: `namespace '${namespace.name}' has not opted in` };
  const targets = new Set(containersToWrap(pod).map((c) => c.name));
  const files = filesToAdd(pod);
  if (targets.size === 0 && files === undefined) return { outcome: 'unchanged', reason: 'no container has an unwrapped <name>@azurekeyvault placeholder and no file is asked for' };

  const auth = authMode(pod, settings);
  const akvsByName = new Map(input.akvs.map((a) => [a.metadata.name, a]));
  const filePlan = files === undefined ? [] : planFiles(files, akvsByName);
  const envMutated = targets.size === 0 ? pod : wrapAll(input, targets, auth, akvsByName);
  const mutated = files === undefined ? envMutated : addFileMode(envMutated, files, filePlan, auth, settings);
  return { outcome: 'mutated', pod: structuredClone(mutated), containers: [...targets, ...(files === undefined ? [] : [FILES_CONTAINER])] };
}

/** Every target container started through env-exec, and env-exec's install step and volume added. */
function wrapAll(input: MutationInput, targets: ReadonlySet<string>, auth: EnvAuthMode, akvsByName: ReadonlyMap<string, AzureKeyVaultSecret>): Pod {
  const { pod, settings } = input;
  const extraVolumes: Volume[] = [];
  const wrap = (c: Container): Container => {
    if (!targets.has(c.name)) return c;
    const plan = planContainer(c, akvsByName);
    const wrapped = wrapContainer(c, originalCommand(c, input.imageCommands.get(c.name)), plan, auth, settings);
    extraVolumes.push(...wrapped.volumes);
    return wrapped.container;
  };
  const initContainers = (pod.spec.initContainers ?? []).map(wrap);
  const containers = pod.spec.containers.map(wrap);
  if (!initContainers.some((c) => c.name === ENV_EXEC_INSTALL_CONTAINER)) initContainers.unshift(installInitContainer(settings));

  const volumes = [...(pod.spec.volumes ?? [])];
  for (const volume of [envExecVolume(), ...extraVolumes]) {
    if (!volumes.some((v) => v.name === volume.name)) volumes.push(volume);
  }
  return { ...pod, spec: { ...pod.spec, initContainers, containers, volumes } };
}

