/**
 * Runs the agent under exactly its generated rights: creates its ServiceAccount, applies renderAgentRbac() (the one
 * source the chart uses) with the admin KubeConfig, waits until the apiserver's authorizer grants every rendered rule,
 * and hands back the admin KubeConfig impersonating that ServiceAccount.
 */
import { AuthorizationV1Api, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { renderAgentRbac } from '../../../cluster-agent/rbac/render-agent-rbac.js';
import type { AgentRbacOptions } from '../../../cluster-agent/rbac/render-agent-rbac.js';
import type { ClusterHelpers } from '../../../scripts/local-stack/cluster-access.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { getTestStack } from '../support/stack-client.js';

export const AGENT_SERVICE_ACCOUNT = 'akvsync-agent';

export interface AgentRbacGrant {
  /** The admin KubeConfig impersonating system:serviceaccount:<namespace>:akvsync-agent. */
  readonly kubeConfig: KubeConfig;
  readonly username: string;
  readonly options: AgentRbacOptions;
  /** Deletes the cluster-scoped objects (namespaced ones go with their namespaces). */
  remove(): Promise<void>;
}

/**
 * `allNamespaces`: grant with a ClusterRole (AKVSYNC_WATCH_NAMESPACES unset) instead of Roles in `watchNamespaces`.
 * Optional features are granted only as the agent's settings switch them on (the key Secret unless the key is a file,
 * the Lease only with leader election, the tenancy rights only with an access policy, the webhook's reads only with the webhook), as the chart does.
 */
export async function grantAgentRbac(
  namespace: string,
  watchNamespaces: readonly string[],
  options: { allNamespaces?: boolean; dataHashKeySecret?: string; dataHashKeyFromFile?: boolean; leaderElectionLease?: string; accessPolicy?: 'none' | 'crd' | 'file'; webhook?: boolean; driftRepair?: boolean; akv2k8sObjects?: boolean; argoRollouts?: boolean;
    /** The agent's own webhook TLS: its Secret and, when named, the webhook configuration whose caBundle it keeps. */
    webhookTls?: { secret: string; configuration?: string } } = {},
  /** The control plane to grant on (default: the jest run's). */
  stack: ClusterHelpers & { readonly kubeConfig: KubeConfig } = getTestStack(),
): Promise<AgentRbacGrant> {
  await stack.ensureServiceAccount(namespace, AGENT_SERVICE_ACCOUNT);
  const rbacOptions: AgentRbacOptions = {
    name: `akvsync-agent-${namespace}`,
    namespace,
    serviceAccount: AGENT_SERVICE_ACCOUNT,
    watchNamespaces: options.allNamespaces ? [] : watchNamespaces,
    names: { dataHashKeySecret: options.dataHashKeySecret ?? 'akvsync-data-hash-key', ...(options.leaderElectionLease ? { leaderElectionLease: options.leaderElectionLease } : {}),
      ...(options.webhookTls ? { webhookTlsSecret: options.webhookTls.secret } : {}), ...(options.webhookTls?.configuration ? { webhookConfiguration: options.webhookTls.configuration } : {}) },
    disabled: [
      ...(options.dataHashKeyFromFile ? ['data-hash-key-secret' as const] : []),
      ...(options.leaderElectionLease ? [] : ['leader-election' as const]),
      ...(options.accessPolicy === 'crd' ? [] : ['tenant-access-policy' as const]),
      ...(options.accessPolicy === 'crd' || options.accessPolicy === 'file' ? [] : ['tenant-namespace-labels' as const, 'tenant-identity' as const]),
      ...(options.webhook ? [] : ['env-injection-admission' as const, 'image-pull-secrets' as const, 'env-exec-token-review' as const]),
      ...(options.webhookTls ? [] : ['webhook-tls-secret' as const]),
      ...(options.webhookTls?.configuration ? [] : ['env-injection-webhook' as const]),
      ...(options.driftRepair === false ? ['output-drift' as const] : []),
      // argo-rollouts stays granted: agents find the Rollout CRD that the restart tests install in this shared apiserver.
      ...(options.akv2k8sObjects ? [] : ['akv2k8s-objects' as const]),
      ...(options.argoRollouts === false ? ['argo-rollouts' as const] : []),
    ],
  };
  const objects = renderAgentRbac(rbacOptions).map((r) => r.object as unknown as KubernetesObject);
  const api = KubernetesObjectApi.makeApiClient(stack.kubeConfig);
  for (const object of objects) await api.patch(object, undefined, undefined, 'akvsync-tests', true, PatchStrategy.ServerSideApply);
  const username = `system:serviceaccount:${namespace}:${AGENT_SERVICE_ACCOUNT}`;
  await waitUntilGranted(stack.kubeConfig, username, namespace, objects);
  const clusterScoped = objects.filter((o) => o.metadata?.namespace === undefined);
  return {
    kubeConfig: stack.kubeConfigImpersonating(namespace, AGENT_SERVICE_ACCOUNT),
    username,
    options: rbacOptions,
    async remove() {
      for (const object of clusterScoped.reverse()) await api.delete(object).catch(() => undefined);
    },
  };
}

interface RuleObject extends KubernetesObject {
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
}

/** RBAC takes effect when the authorizer's cache has the binding: ask it (SubjectAccessReview) for every rendered rule. */
async function waitUntilGranted(admin: KubeConfig, username: string, namespace: string, objects: readonly RuleObject[]): Promise<void> {
  const authz = admin.makeApiClient(AuthorizationV1Api);
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
  const checks = objects.flatMap((o) => (o.rules ?? []).flatMap((rule) => rule.resources.flatMap((resourceAndSub) => rule.verbs.map((verb) => {
    const [resource, subresource] = resourceAndSub.split('/');
    return {
      user: username, groups,
      resourceAttributes: {
        verb, group: rule.apiGroups[0] ?? '', resource, ...(subresource ? { subresource } : {}),
        ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
        ...(rule.resourceNames?.[0] ? { name: rule.resourceNames[0] } : {}),
      },
    };
  }))));
  await Promise.all(checks.map((spec) => waitUntil(`RBAC grants ${spec.resourceAttributes.verb} ${spec.resourceAttributes.resource} to ${username}`, async () => {
    const review = await authz.createSubjectAccessReview({ body: { spec } });
    return review.status?.allowed ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 50 })));
}
