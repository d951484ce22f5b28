/**
 * Tenancy wired for the agent: the access policy in force (none, a file, or AzureKeyVaultAccessPolicy objects
 * watched cluster-wide), the gate the reconciler asks before any Key Vault read, and per-namespace identities.
 * With policy objects, the watch is a leader-only component that starts BEFORE the CR informers, so no CR is judged
 * before the policies are listed; every change in force re-queues every vault object.
 */
import type { TokenCredential } from '@azure/identity';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AzureKeyVaultSecret } from '../../core/crd/azure-key-vault-secret.js';
import { AKVS_VERSION, AKVSYNC_GROUP } from '../../core/crd/azure-key-vault-secret.js';
import type { VaultObjectStore } from '../../core/ports/vault-object-store.js';
import { ACCESS_POLICY_PLURAL } from '../../core/tenancy/access-policy.js';
import { AkvsInformerSet } from '../adapters/akvs-informer.js';
import type { AgentConfig } from '../config.js';
import type { Component } from '../manager/component.js';
import type { Scheduler } from '../ports/scheduler.js';
import { AccessGate } from './access-gate.js';
import { AccessPolicySet, type AccessPolicyObject } from './access-policy-set.js';
import { kubeNamespaceLabels } from './namespace-labels.js';
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
}

export interface Tenancy {
  readonly gate: AccessGate;
  /** The policy watch (source `crd` only). */
  readonly component: Component | undefined;
}

export function createTenancy(deps: TenancyDeps): Tenancy {
  const { config, kubeConfig, scheduler, logger } = deps;
  const policy = config.tenancy.policy;
  if (policy.source === 'none') return { gate: AccessGate.open(deps.agentStore), component: undefined };
  const tokens = new ServiceAccountTokens(kubeTokenRequest(kubeConfig), scheduler, config.tenancy.tokenExpirationSeconds);
  const tenants = new TenantStores({
    tokens,
    tenantId: config.azure.tenantId,
    authorityHost: config.azure.authorityHost,
    disableInstanceDiscovery: config.azure.disableInstanceDiscovery,
    storeWith: deps.storeWith,
  });
  let watching = false;
  const policies = policy.source === 'file'
    ? AccessPolicySet.fixed(policy.policies)
    : AccessPolicySet.watched(logger, () => {
      if (watching) deps.requeueAll();
    });
  if (policy.source === 'file') logger.info({ file: policy.path, policies: policy.policies.map((p) => p.name) }, 'access policies in force (file)');
  const gate = new AccessGate({
    policies: () => policies.current(),
    namespaceLabels: kubeNamespaceLabels(kubeConfig),
    agentStore: deps.agentStore,
    storeFor: (namespace, identity) => tenants.storeFor(namespace, identity),
  });
  if (policy.source === 'file') return { gate, component: undefined };
  const asPolicy = (o: AzureKeyVaultSecret): AccessPolicyObject => o as unknown as AccessPolicyObject;
  const informer = new AkvsInformerSet({
    kubeConfig,
    namespaces: [],
    resource: { group: AKVSYNC_GROUP, version: AKVS_VERSION, plural: ACCESS_POLICY_PLURAL },
    handlers: { upsert: (o) => policies.upsert(asPolicy(o)), remove: (o) => policies.remove(asPolicy(o)) },
    scheduler,
    logger,
  });
  const component: Component = {
    name: 'access-policies',
    leaderOnly: true,
    start: async () => {
      await informer.start();
      watching = true;
    },
    stop: () => informer.stop(),
  };
  return { gate, component };
}
