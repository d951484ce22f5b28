/**
 * What the webhook decides for one admission request, before any HTTP: reads what `mutatePod` needs (the namespace's
 * labels, the AzureKeyVaultSecrets the placeholders and file-mode annotations name, the ENTRYPOINT/CMD of containers without `command` read
 * with the pod's pull secrets), applies the tenancy gate (a pod may name only AzureKeyVaultSecrets whose objects its
 * namespace's policy allows — exactly as for sync), then diffs the mutated pod into a JSONPatch. Reads only: nothing
 * is written anywhere, so a dry-run request is handled like any other. Errors are thrown (AkvsyncError) and turned
 * into answers in one place (admission-answer.ts).
 */
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { AkvsyncError, TerminalError, isAkvsyncError } from '../../core/errors.js';
import type { DockerConfig } from '../../core/images/pull-secret-credentials.js';
import type { InjectionSettings } from '../../core/injection/injection-settings.js';
import { containersToWrap, filesToAdd, injectionEnabled, mutatePod } from '../../core/injection/mutate-pod.js';
import { imageCommandNeeded, type ImageCommand } from '../../core/injection/original-command.js';
import { parsePlaceholder } from '../../core/injection/placeholder.js';
import { podPatch, type JsonPatchOperation } from '../../core/injection/pod-patch.js';
import type { Container, Pod } from '../../core/injection/pod-types.js';
import type { Labels } from '../../core/tenancy/label-selector.js';
import type { ImageCommandRequest } from '../image-config/image-config-resolver.js';
import type { AccessSplit } from '../tenancy/access-gate.js';
import { isPodCreate, podOf, type AdmissionRequest } from './admission-review.js';

export interface PodAdmissionDeps {
  readonly settings: InjectionSettings;
  readonly namespaceLabels: (namespace: string) => Promise<Labels>;
  /** The AzureKeyVaultSecrets of `namespace` with these names (absent ones left out). */
  readonly akvsNamed: (namespace: string, names: readonly string[]) => Promise<AzureKeyVaultSecret[]>;
  /** Parsed `.dockerconfigjson` of the pod's imagePullSecrets, then of its ServiceAccount's. */
  readonly pullSecrets: (namespace: string, pod: Pod) => Promise<DockerConfig[]>;
  readonly resolveImage: (request: ImageCommandRequest) => Promise<ImageCommand>;
  /** The tenancy gate (cluster-agent/tenancy/access-gate.ts). */
  readonly access: { split(crs: readonly AzureKeyVaultSecret[]): Promise<AccessSplit> };
  /**
   * When an image's ENTRYPOINT/CMD cannot be read: admit the pod unchanged with a warning (open) or refuse it (closed);
   * a namespace's `akvsync.io/command-failure-policy` label overrides it.
   */
  readonly commandFailurePolicy: 'open' | 'closed';
}

export type AdmissionDecision =
  | { readonly outcome: 'mutated'; readonly patch: JsonPatchOperation[]; readonly warnings: readonly string[] }
  | { readonly outcome: 'unchanged' | 'failed-open'; readonly reason: string; readonly warnings: readonly string[] };

export class PodAdmission {
  constructor(private readonly deps: PodAdmissionDeps) {}

  async decide(request: AdmissionRequest): Promise<AdmissionDecision> {
    if (!isPodCreate(request)) return unchanged('not a Pod CREATE');
    const pod = podOf(request);
    const namespace = { name: request.namespace, labels: await this.deps.namespaceLabels(request.namespace) };
    if (!injectionEnabled(namespace, this.deps.settings)) return unchanged(`namespace '${namespace.name}' has not opted in`);
    const targets = containersToWrap(pod);
    const files = filesToAdd(pod);
    if (targets.length === 0 && files === undefined) return unchanged('no container has an unwrapped <name>@azurekeyvault placeholder and no file is asked for');

    const fileNames = files?.requests.map((r) => r.placeholder.akvs) ?? [];
    const akvs = await this.deps.akvsNamed(namespace.name, [...new Set([...namesIn(targets), ...fileNames])]);
    await this.checkAccess(akvs);
    let imageCommands: Map<string, ImageCommand>;
    try {
      imageCommands = await this.imageCommands(namespace.name, pod, targets);
    } catch (error) {
      if (commandFailurePolicy(namespace.labels, this.deps.commandFailurePolicy) === 'closed' || !isAkvsyncError(error)) throw error;
      return { outcome: 'failed-open', reason: error.message, warnings: [`akvsync: env injection skipped: ${error.message}`] };
    }
    const result = mutatePod({ pod, namespace, akvs, imageCommands, settings: this.deps.settings });
    if (result.outcome === 'unchanged') return unchanged(result.reason);
    return { outcome: 'mutated', patch: podPatch(pod, result.pod), warnings: [] };
  }

  private async checkAccess(akvs: readonly AzureKeyVaultSecret[]): Promise<void> {
    const { refused } = await this.deps.access.split(akvs);
    const first = refused[0];
    if (first) throw new TerminalError(first.error.code, `AzureKeyVaultSecret '${first.cr.metadata.name}': ${first.error.message}`);
  }

  /** ENTRYPOINT/CMD of each target without `command`, read with the pod's pull secrets (one set for all containers). */
  private async imageCommands(namespace: string, pod: Pod, targets: readonly Container[]): Promise<Map<string, ImageCommand>> {
    const needed = targets.filter((c) => imageCommandNeeded(c) && c.image !== undefined);
    const commands = new Map<string, ImageCommand>();
    if (needed.length === 0) return commands;
    const pullSecrets = await this.deps.pullSecrets(namespace, pod);
    await Promise.all(needed.map(async (c) => {
      const image = c.image as string;
      try {
        commands.set(c.name, await this.deps.resolveImage({ image, pod: pod.spec, pullSecrets }));
      } catch (error) {
        const why = isAkvsyncError(error) ? error : new TerminalError('CommandUnresolved', 'unexpected error');
        const named = why.message.includes(image) ? why.message : `image '${image}': ${why.message}`;
        throw new AkvsyncError(why.kind, why.code, `container '${c.name}' has no command and its image's ENTRYPOINT/CMD cannot be read (set command, or fix the registry access): ${named}`);
      }
    }));
    return commands;
  }
}

/** A namespace may choose for itself with the label `akvsync.io/command-failure-policy: open|closed`. */
export const COMMAND_FAILURE_POLICY_LABEL = 'akvsync.io/command-failure-policy';
function commandFailurePolicy(labels: Labels, fallback: 'open' | 'closed'): 'open' | 'closed' {
  const chosen = labels[COMMAND_FAILURE_POLICY_LABEL];
  return chosen === 'open' || chosen === 'closed' ? chosen : fallback;
}

const unchanged = (reason: string): AdmissionDecision => ({ outcome: 'unchanged', reason, warnings: [] });

function namesIn(containers: readonly Container[]): string[] {
  const names = new Set<string>();
  for (const c of containers) for (const e of c.env ?? []) {
    const p = parsePlaceholder(e.value);
    if (p) names.add(p.akvs);
  }
  return [...names];
}
