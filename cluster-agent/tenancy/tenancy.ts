/**
 * Tenancy wired for the agent: the access policy in force (none, a file, or AzureKeyVaultAccessPolicy objects
 * watched cluster-wide), the gate the reconciler asks before any Key Vault read, and per-namespace identities.
 * The watches (policy objects; the labels of the watched namespaces, each by name, or of all) are one leader-only component that starts BEFORE the CR informers,
 * so no CR is judged before the policies are listed; a change of the policies in force re-queues every vault object,
 * a namespace's label change the vault objects of that namespace's CRs.
 */
import type { TokenCredential } from '@azure/identity';
import { CoreV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { AKVS_VERSION, AKVSYNC_GROUP } from '../../core/crd/azure-key-vault-secret.js';
import { TerminalError } from '../../core/errors.js';
import type { VaultObjectStore } from '../../core/ports/vault-object-store.js';
import { ACCESS_POLICY_PLURAL } from '../../core/tenancy/access-policy.js';
import { parseAccessPolicyFile } from '../../core/tenancy/parse-access-policy-file.js';
import { AkvsInformerSet, type AkvsInformerOptions } from '../adapters/akvs-informer.js';
import type { ReloadTarget } from '../adapters/file-reloader.js';
import type { AgentConfig } from '../config.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';
import { AccessGate } from './access-gate.js';
import { AccessPolicySet, type AccessPolicyObject } from './access-policy-set.js';
import { NamespaceLabelCache, type NamespaceObject, kubeNamespaceLabels } from './namespace-labels.js';
import { ServiceAccountTokens, kubeTokenRequest } from './service-account-tokens.js';
import { TenantStores } from './tenant-stores.js';

export interface TenancyDeps {
  readonly config: AgentConfig;
  readonly kubeConfig: KubeConfig;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly agentStore: VaultObjectStore;
  readonly storeWith: (credential: TokenCredential, identity: string) => VaultObjectStore;
  /** Re-queue every vault object (after the policies in force changed). */
  readonly requeueAll: () => void;
  /** Re-queue the vault objects of the CRs in one namespace (after its labels changed). */
  readonly requeueNamespace: (namespace: string) => void;
}

export interface Tenancy {
  readonly gate: AccessGate;
  /** The watches (policy objects with source `crd`; namespaces' labels). */
  readonly component: Component | undefined;
  /** No CR references `vault` any more: tenant stores drop its Key Vault client too. */
  forgetVault(vault: string): void;
  /** With a policy file: re-read on change (the agent's FileReloader); a file that does not validate keeps the policies in force. */
  readonly reloadTarget?: ReloadTarget;
}

/** The policy file as a reload target: validated whole, then every policy replaced and every CR judged again. */
function accessPolicyFileReloadTarget(path: string, policies: AccessPolicySet, logger: Logger): ReloadTarget {
  return {
    setting: 'AKVSYNC_ACCESS_POLICY_FILE',
    paths: [path],
    apply([text = '']) {
      const parsed = parseAccessPolicyFile(text);
      if (!parsed.ok) {
        // Policy files hold names and patterns, never a secret: the errors are worth reading.
        logger.error({ file: path, errors: parsed.errors }, 'the changed access policy file is invalid; the policies in force stay');
        throw new TerminalError('InvalidAccessPolicyFile', `${path} is not a valid policy file`);
      }
      policies.replaceAll(parsed.policies);
      logger.info({ file: path, policies: parsed.policies.map((p) => p.name) }, 'access policies in force (file, reloaded)');
    },
  };
}

export function createTenancy(deps: TenancyDeps): Tenancy {
  const { config, kubeConfig, scheduler, logger } = deps;
  const policy = config.tenancy.policy;
  if (policy.source === 'none') return { gate: AccessGate.open(deps.agentStore), component: undefined, forgetVault: () => undefined };
  const tokens = new ServiceAccountTokens(kubeTokenRequest(kubeConfig), scheduler, config.tenancy.tokenExpirationSeconds);
  const tenants = new TenantStores({
    tokens,
    tenantId: config.azure.tenantId,
    authorityHost: config.azure.authorityHost,
    disableInstanceDiscovery: config.azure.disableInstanceDiscovery,
    storeWith: deps.storeWith,
  });
  let watching = false;
  const requeueAll = (): void => {
    if (watching) deps.requeueAll();
  };
  const policies = policy.source === 'file' ? AccessPolicySet.replaceable(policy.policies, logger, requeueAll) : AccessPolicySet.watched(logger, requeueAll);
  if (policy.source === 'file') logger.info({ file: policy.path, policies: policy.policies.map((p) => p.name) }, 'access policies in force (file)');
  const namespaces = new NamespaceLabelCache(kubeNamespaceLabels(kubeConfig), (ns) => {
    logger.info({ namespace: ns }, 'namespace labels changed: its CRs are judged again');
    deps.requeueNamespace(ns);
  }, (ns) => tenants.forgetNamespace(ns));
  const gate = new AccessGate({
    policies: () => policies.current(),
    namespaceLabels: (ns) => namespaces.labelsOf(ns),
    agentStore: deps.agentStore,
    storeFor: (namespace, identity) => tenants.storeFor(namespace, identity),
  });
  const informers: AkvsInformerSet[] = [];
  const watch = <T>(options: Pick<AkvsInformerOptions, 'resource' | 'builtIn'>, upsert: (o: T) => void, remove: (o: T) => void) =>
    informers.push(new AkvsInformerSet({
      kubeConfig, namespaces: [], scheduler, logger, ...options,
      handlers: { upsert: (o: AzureKeyVaultSecret) => upsert(o as unknown as T), remove: (o: AzureKeyVaultSecret) => remove(o as unknown as T) },
    }));
  const core = kubeConfig.makeApiClient(CoreV1Api);
  // With a namespace list, each watched namespace by name (its rights name them); else all namespaces.
  const selectors = config.watchNamespaces.length > 0 ? config.watchNamespaces.map((ns) => `metadata.name=${ns}`) : [undefined];
  for (const fieldSelector of selectors) {
    const list = async () => (await core.listNamespace(fieldSelector === undefined ? {} : { fieldSelector })) as unknown as KubernetesListObject<KubernetesObject>;
    watch<NamespaceObject>({ builtIn: { path: '/api/v1/namespaces', name: 'namespaces', list, ...(fieldSelector === undefined ? {} : { fieldSelector }) } }, (o) => namespaces.upsert(o), (o) => namespaces.remove(o));
  }
  if (policy.source === 'crd') {
    watch<AccessPolicyObject>({ resource: { group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: ACCESS_POLICY_PLURAL } }, (o) => policies.upsert(o), (o) => policies.remove(o));
  }
  const component: Component = {
    name: 'tenancy-watches',
    leaderOnly: true,
    start: async () => {
      await Promise.all(informers.map((i) => i.start()));
      watching = true;
    },
    stop: async () => {
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
  const reloadTarget = policy.source === 'file' ? accessPolicyFileReloadTarget(policy.path, policies, logger) : undefined;
  return { gate, component, forgetVault: (vault) => tenants.forgetVault(vault), ...(reloadTarget ? { reloadTarget } : {}) };
}
