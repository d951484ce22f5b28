/**
 * The agent's side of env-exec's agent mode (`POST /v1/env`, docs/env-injection.md): a projected ServiceAccount token
 * is checked with TokenReview for the audience `<prefix><container>`; the pod is the one the token is bound to (name
 * and uid from its claims, namespace and ServiceAccount from its user); the plan is recomputed from that pod's
 * STORED spec for that container, put through the tenancy gate, and only those variables are read and rendered. A
 * token of another pod, namespace or container gets nothing. Errors are AkvsyncErrors mapped in env-answer.ts.
 */
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { NotFoundError, TerminalError } from '../../core/errors.js';
import { fileModeOptions } from '../../core/injection/file-mode-annotations.js';
import { FILES_CONTAINER, planFiles } from '../../core/injection/file-mode-mutation.js';
import { planContainer, type PlannedVariable } from '../../core/injection/injection-plan.js';
import type { InjectionSettings } from '../../core/injection/injection-settings.js';
import { injectionEnabled } from '../../core/injection/mutate-pod.js';
import { parsePlaceholder } from '../../core/injection/placeholder.js';
import type { Pod } from '../../core/injection/pod-types.js';
import { renderVariable, type RenderedVariable } from '../../core/injection/render-variable.js';
import type { VaultObjectStore } from '../../core/ports/vault-object-store.js';
import type { Labels } from '../../core/tenancy/label-selector.js';
import { FORBIDDEN_REASON } from '../../core/tenancy/evaluate-access.js';
import type { AccessSplit } from '../tenancy/access-gate.js';

/** What TokenReview says about a token, or undefined when it is not authenticated for the audience. */
export interface ReviewedToken {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
  readonly podUid: string;
}

export interface EnvValuesDeps {
  /** The audience prefix, and which namespaces may be served (opted in, not the agent's own). */
  readonly settings: Pick<InjectionSettings, 'tokenAudiencePrefix' | 'agentNamespace' | 'acceptAkv2k8sLabel'>;
  readonly namespaceLabels: (namespace: string) => Promise<Labels>;
  readonly reviewToken: (token: string, audience: string) => Promise<ReviewedToken | undefined>;
  readonly readPod: (namespace: string, name: string) => Promise<Pod | undefined>;
  readonly akvsNamed: (namespace: string, names: readonly string[]) => Promise<AzureKeyVaultSecret[]>;
  readonly access: { split(crs: readonly AzureKeyVaultSecret[]): Promise<AccessSplit> };
  /** File mode's refresh signal (every replica); absent: `/v1/env/watch` answers 404. */
  readonly versionWatch?: { waitForChange(namespace: string, known: AkvsVersions, timeoutMs: number, signal: AbortSignal): Promise<boolean> };
}

const unauthorized = (): TerminalError => new TerminalError('Unauthorized', 'the token is not valid for this container');
const denied = (): TerminalError => new TerminalError(FORBIDDEN_REASON, 'the token is not bound to a pod that may ask for this container');

/** `versions`: each named AzureKeyVaultSecret's `status.syncedVersion` as read now (null: not synced yet). */
export type AkvsVersions = Record<string, string | null>;

export interface EnvAnswer {
  readonly variables: Record<string, RenderedVariable>;
  /** What file mode's watch compares against (names and Key Vault versions: no value). */
  readonly versions: AkvsVersions;
}

interface Bound {
  readonly namespace: string;
  readonly plan: PlannedVariable[];
  readonly akvs: AzureKeyVaultSecret[];
}

export class EnvValues {
  constructor(private readonly deps: EnvValuesDeps) {}

  async forContainer(token: string, container: string): Promise<EnvAnswer> {
    const { plan, akvs } = await this.bind(token, container);
    const { readers, refused } = await this.deps.access.split(akvs);
    const first = refused[0];
    if (first) throw new TerminalError(first.error.code, `AzureKeyVaultSecret '${first.cr.metadata.name}': ${first.error.message}`);
    const storeOf = new Map(readers.flatMap((r) => r.crs.map((cr) => [cr.metadata.name, r.store] as const)));

    const variables: Record<string, RenderedVariable> = Object.create(null) as Record<string, RenderedVariable>;
    for (const entry of plan) {
      const store = storeOf.get(entry.akvs);
      if (!store) throw denied();
      variables[entry.env] = renderVariable(entry, await readValue(store, entry));
    }
    return { variables, versions: versionsOf(akvs) };
  }

  /**
   * File mode's refresh: waits (at most `timeoutMs`) until a named AzureKeyVaultSecret's `status.syncedVersion`
   * differs from `known` (the leader synced a rotation), for the same token checks as forContainer. True: fetch again.
   */
  async watch(token: string, container: string, known: AkvsVersions, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    const { namespace, akvs } = await this.bind(token, container);
    const current = versionsOf(akvs);
    const names = Object.keys(current);
    if (names.some((name) => (known[name] ?? null) !== current[name])) return true;
    const watcher = this.deps.versionWatch;
    if (watcher === undefined) throw new NotFoundError('WatchUnavailable', 'this agent does not serve file refresh');
    return watcher.waitForChange(namespace, Object.fromEntries(names.map((n) => [n, current[n] ?? null])), timeoutMs, signal);
  }

  /** The token checked (TokenReview, pod name+uid, ServiceAccount, opted-in namespace) and the container's plan. */
  private async bind(token: string, container: string): Promise<Bound> {
    const reviewed = await this.deps.reviewToken(token, `${this.deps.settings.tokenAudiencePrefix}${container}`);
    if (reviewed === undefined) throw unauthorized();
    // Only where injection is on: a pod elsewhere cannot mint itself a token with our audience and ask.
    const namespace = { name: reviewed.namespace, labels: await this.deps.namespaceLabels(reviewed.namespace) };
    if (!injectionEnabled(namespace, this.deps.settings)) throw denied();
    const pod = await this.deps.readPod(reviewed.namespace, reviewed.podName);
    if (pod === undefined || pod.metadata?.uid !== reviewed.podUid) throw denied();
    if (((pod.spec.serviceAccountName as string | undefined) ?? 'default') !== reviewed.serviceAccount) throw denied();
    const isFiles = container === FILES_CONTAINER && (pod.spec.initContainers ?? []).some((c) => c.name === FILES_CONTAINER);
    const files = isFiles ? fileModeOptions(pod) : undefined;
    const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === container);
    if (spec === undefined) throw denied();

    const names = files !== undefined ? [...new Set(files.requests.map((r) => r.placeholder.akvs))]
      : [...new Set((spec.env ?? []).map((e) => parsePlaceholder(e.value)?.akvs).filter((n): n is string => n !== undefined))];
    if (names.length === 0) throw new NotFoundError('NoPlaceholders', `container '${container}' has no placeholder`);
    const akvs = await this.deps.akvsNamed(reviewed.namespace, names);
    const byName = new Map(akvs.map((a) => [a.metadata.name, a]));
    const plan = files !== undefined ? planFiles(files, byName) : planContainer(spec, byName);
    return { namespace: reviewed.namespace, plan, akvs };
  }
}

const versionsOf = (akvs: readonly AzureKeyVaultSecret[]): AkvsVersions =>
  Object.fromEntries(akvs.map((a) => [a.metadata.name, a.status?.syncedVersion ?? null]));

/** A certificate is read as its backing secret; every other injectable type through the secrets API. */
async function readValue(store: VaultObjectStore, entry: PlannedVariable): Promise<{ value: string; contentType: string | undefined; version: string }> {
  const { source } = entry;
  const object = await store.read({ vault: source.vault, objectType: source.type === 'certificate' ? 'certificate' : 'secret', name: source.name }, source.version);
  if (object.kind !== 'secret-value') throw new TerminalError('UnsupportedObjectType', `env ${entry.env}: Key Vault object '${source.name}' has no secret value`);
  return { value: object.value, contentType: object.contentType, version: object.version };
}
