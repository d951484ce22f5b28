/**
 * THE source of the agent's Kubernetes rights (data only). `render-agent-rbac.ts` turns it into Roles/ClusterRoles
 * for either mode, `cluster-agent/manifests/generate-rbac.ts` writes the manifests the Helm chart uses, docs/agent.md
 * lists every rule, and the integration suite runs the agent under exactly these rules (impersonating its
 * ServiceAccount). A right the code does not use today is not granted: a feature still being built has its rules
 * here with `built: false`, and the change that lands it flips the flag (its tests then prove the rules).
 */

/** Where a rule applies. */
export type RbacScope =
  /** Each watched namespace: a Role there (namespace list), or the ClusterRole (all namespaces). */
  | 'watched-namespaces'
  /** The agent's own namespace (AKVSYNC_NAMESPACE) only: always a Role. */
  | 'own-namespace'
  /** Cluster-scoped resources: always a ClusterRole, in either mode. */
  | 'cluster';

export type AgentFeature =
  | 'sync'
  | 'restarts'
  | 'data-hash-key-secret'
  | 'leader-election'
  | 'tenant-access-policy'
  | 'tenant-namespace-labels'
  | 'tenant-identity'
  | 'output-drift'
  | 'output-lifecycle'
  | 'env-exec-token-review'
  | 'env-injection-webhook'
  | 'webhook-tls-secret'
  | 'env-injection-admission'
  | 'image-pull-secrets'
  | 'akv2k8s-objects'
  | 'argo-rollouts';

export interface AgentFeatureInfo {
  /** Whether code that uses these rights exists today. Rules of unbuilt features are documented, never rendered. */
  readonly built: boolean;
  /** Whether a setting can switch the feature off (then the renderer can leave its rules out). */
  readonly optional: boolean;
  readonly what: string;
}

export const AGENT_FEATURES: Readonly<Record<AgentFeature, AgentFeatureInfo>> = {
  'sync': { built: true, optional: false, what: 'watch AzureKeyVaultSecrets, write their Secrets/ConfigMaps, status and Events' },
  'restarts': { built: true, optional: false, what: 'rolling restarts of opted-in workloads (pod-template annotation)' },
  'data-hash-key-secret': { built: true, optional: true, what: 'the data-hash key Secret (off with AKVSYNC_DATA_HASH_KEY_FILE)' },
  'leader-election': { built: true, optional: true, what: 'a Lease elects the replica that reconciles (AKVSYNC_LEADER_ELECTION)' },
  'tenant-access-policy': { built: true, optional: true, what: 'cluster-scoped AzureKeyVaultAccessPolicy objects (AKVSYNC_ACCESS_POLICY=crd)' },
  'tenant-namespace-labels': { built: true, optional: true, what: 'the namespace labels access policies select by (AKVSYNC_ACCESS_POLICY=crd or file)' },
  'tenant-identity': { built: true, optional: true, what: 'tokens of tenant ServiceAccounts for per-namespace identity (AKVSYNC_ACCESS_POLICY=crd or file)' },
  'output-drift': { built: true, optional: true, what: 'an informer on managed Secrets/ConfigMaps that puts hand edits and deletions back (AKVSYNC_DRIFT_REPAIR)' },
  'output-lifecycle': { built: true, optional: false, what: 'the finalizer that cleans a deleted CR\'s output up, rename clean-up, and the uninstall check' },
  'env-exec-token-review': { built: true, optional: true, what: 'env-exec authenticates Pods by their ServiceAccount token (TokenReview) at POST /v1/env (AKVSYNC_WEBHOOK_ENABLED)' },
  'env-injection-webhook': { built: true, optional: true, what: 'the env-injection webhook keeps its own MutatingWebhookConfiguration\'s caBundle current (agent-managed TLS with AKVSYNC_WEBHOOK_CONFIGURATION)' },
  'webhook-tls-secret': { built: true, optional: true, what: 'the webhook\'s CA and serving certificate in a Secret of the agent\'s namespace, shared by the replicas (AKVSYNC_WEBHOOK_TLS_MODE=agent)' },
  'env-injection-admission': { built: true, optional: true, what: 'the env-injection webhook reads a Pod\'s namespace (opt-in label) and the AzureKeyVaultSecrets its placeholders name (AKVSYNC_WEBHOOK_ENABLED)' },
  'image-pull-secrets': { built: true, optional: true, what: 'the env-injection webhook reads image config with the Pod\'s pull secrets' },
  'akv2k8s-objects': { built: true, optional: true, what: 'serve akv2k8s\'s spv.no/v2beta1 AzureKeyVaultSecrets in handed-over namespaces (AKVSYNC_AKV2K8S_NAMESPACES)' },
  'argo-rollouts': { built: true, optional: true, what: 'restart opted-in Argo Rollouts (spec.restartAt) when the Rollout CRD is installed' },
};

/** A name that comes from the agent's settings (rendered into `resourceNames`). */
export type NamedBy = 'dataHashKeySecret' | 'leaderElectionLease' | 'webhookConfiguration' | 'webhookTlsSecret';

export interface AgentRbacRule {
  readonly feature: AgentFeature;
  readonly scope: RbacScope;
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /**
   * Limits the rule to the one object the settings name. RBAC cannot limit create or deletecollection by name; a list
   * or watch limited by name must carry a `metadata.name` field selector.
   */
  readonly namedBy?: NamedBy;
  /** Limits the rule to objects whose names the code fixes (not a setting). */
  readonly resourceNames?: readonly string[];
  /**
   * A rule on the namespaces themselves (cluster-scoped): with a namespace list it is limited to those namespaces
   * (`resourceNames`; list/watch then select one namespace each by `metadata.name`); with all namespaces it is not.
   */
  readonly limitedToWatchedNamespaces?: true;
  readonly why: string;
  /** The code that makes these calls. */
  readonly usedBy: readonly string[];
}

export const AGENT_RBAC_RULES: readonly AgentRbacRule[] = [
  {
    feature: 'sync', scope: 'watched-namespaces', apiGroups: ['akvsync.io'], resources: ['azurekeyvaultsecrets'], verbs: ['list', 'watch'],
    why: 'the CR informer (list, then watch); nothing reads a single CR',
    usedBy: ['cluster-agent/adapters/akvs-informer.ts'],
  },
  {
    feature: 'sync', scope: 'watched-namespaces', apiGroups: ['akvsync.io'], resources: ['azurekeyvaultsecrets/status'], verbs: ['patch'],
    why: 'conditions, synced version and data hash, written with a merge patch of the status subresource',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (patchStatus)'],
  },
  {
    feature: 'sync', scope: 'watched-namespaces', apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list', 'create', 'patch'],
    why: 'outputs: get before the ownership check, list by the source.akvsync.io/<digest> label during a fan-out, server-side apply (patch; create when the output is new)',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (getOutput, listOutputs, applyOutput)'],
  },
  {
    feature: 'sync', scope: 'watched-namespaces', apiGroups: [''], resources: ['events'], verbs: ['create'],
    why: 'one core/v1 Event per sync outcome on the CR (never patched: each Event is new)',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (recordEvent)'],
  },
  {
    feature: 'restarts', scope: 'watched-namespaces', apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list', 'patch'],
    why: 'list the workloads of a namespace (watch cache) to find the opted-in ones; merge-patch the restart.akvsync.io/ pod-template annotation (the restart-only ValidatingAdmissionPolicy refuses any other change)',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (listWorkloads, patchPodTemplateAnnotation)'],
  },
  {
    feature: 'data-hash-key-secret', scope: 'own-namespace', apiGroups: [''], resources: ['secrets'], verbs: ['get'], namedBy: 'dataHashKeySecret',
    why: 'read the data-hash key at start-up (and after a lost create race)',
    usedBy: ['cluster-agent/adapters/data-hash-key-secret.ts'],
  },
  {
    feature: 'data-hash-key-secret', scope: 'own-namespace', apiGroups: [''], resources: ['secrets'], verbs: ['create'],
    why: 'create the key Secret when absent; RBAC cannot limit create by name, so this covers Secrets of the agent\'s namespace',
    usedBy: ['cluster-agent/adapters/data-hash-key-secret.ts'],
  },
  {
    feature: 'leader-election', scope: 'own-namespace', apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], namedBy: 'leaderElectionLease',
    why: 'read the leader Lease, renew or take it over, and release it on stop (replace = update)',
    usedBy: ['cluster-agent/adapters/lease-elector.ts'],
  },
  {
    feature: 'leader-election', scope: 'own-namespace', apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'],
    why: 'create the leader Lease when absent (create cannot be limited by name)',
    usedBy: ['cluster-agent/adapters/lease-elector.ts'],
  },
  {
    feature: 'tenant-access-policy', scope: 'cluster', apiGroups: ['akvsync.io'], resources: ['azurekeyvaultaccesspolicies'], verbs: ['list', 'watch'],
    why: 'the access-policy informer; the policies are cluster-scoped, so this is a ClusterRole rule even with a namespace list',
    usedBy: ['cluster-agent/tenancy/tenancy.ts'],
  },
  {
    feature: 'tenant-namespace-labels', scope: 'cluster', apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'], limitedToWatchedNamespaces: true,
    why: 'policies select namespaces by label: the labels are watched, and a namespace not seen yet is read; namespaces are cluster-scoped, so with a namespace list the rule names them and the agent watches each by name',
    usedBy: ['cluster-agent/tenancy/tenancy.ts', 'cluster-agent/tenancy/namespace-labels.ts'],
  },
  {
    feature: 'tenant-identity', scope: 'watched-namespaces', apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'],
    why: 'TokenRequest (audience api://AzureADTokenExchange) for the ServiceAccount a namespace names for its Key Vault reads; the names come from the policy, so no resourceNames',
    usedBy: ['cluster-agent/tenancy/service-account-tokens.ts'],
  },
  {
    feature: 'output-drift', scope: 'watched-namespaces', apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['watch'],
    why: 'an informer on the managed outputs (label akvsync.io/managed-by; its list is the sync rule\'s) puts hand edits and deletions back',
    usedBy: ['cluster-agent/adapters/output-informers.ts'],
  },
  {
    feature: 'output-lifecycle', scope: 'watched-namespaces', apiGroups: ['akvsync.io'], resources: ['azurekeyvaultsecrets'], verbs: ['patch'],
    why: 'add and remove the finalizer akvsync.io/output-cleanup (server-side apply of metadata.finalizers under its own field manager; nothing else of the CR)',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (setFinalizer)'],
  },
  {
    feature: 'output-lifecycle', scope: 'watched-namespaces', apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['delete'],
    why: 'delete the output of a deleted (or renamed) CR that was its only writer, with a resourceVersion precondition; a shared output only loses that CR\'s keys (patch)',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (deleteOutput)'],
  },
  {
    feature: 'output-lifecycle', scope: 'cluster', apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get'],
    resourceNames: ['azurekeyvaultsecrets.akvsync.io'],
    why: 'whether the AzureKeyVaultSecret CRD itself is being deleted (an uninstall): then a CR\'s finalizer leaves its output in place',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (isCrdTerminating)'],
  },
  {
    feature: 'env-exec-token-review', scope: 'cluster', apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'],
    why: 'authenticate env-exec by the Pod\'s ServiceAccount token; TokenReview is cluster-scoped',
    usedBy: ['cluster-agent/webhook/kube-token-review.ts'],
  },
  {
    feature: 'env-exec-token-review', scope: 'watched-namespaces', apiGroups: [''], resources: ['pods'], verbs: ['get'],
    why: 'read the pod a token is bound to, so /v1/env answers from its stored spec only',
    usedBy: ['cluster-agent/webhook/cluster-admission-lookups.ts (readPod)'],
  },
  {
    feature: 'env-injection-webhook', scope: 'cluster', apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'list', 'watch', 'patch'], namedBy: 'webhookConfiguration',
    why: 'keep the caBundle of the agent\'s own webhook configuration current, and watch it (metadata.name field selector) to patch it again at once when it is created or re-applied; no other webhook configuration',
    usedBy: ['cluster-agent/webhook-tls/ca-bundle-patcher.ts'],
  },
  {
    feature: 'webhook-tls-secret', scope: 'own-namespace', apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'update'], namedBy: 'webhookTlsSecret',
    why: 'every replica reads and watches the webhook-TLS Secret (list/watch with the metadata.name field selector, so RBAC can limit them by name); the leader replaces it on rotation (update, at the read resourceVersion)',
    usedBy: ['cluster-agent/webhook-tls/webhook-tls-secret.ts', 'cluster-agent/webhook-tls/webhook-tls-watch.ts'],
  },
  {
    feature: 'webhook-tls-secret', scope: 'own-namespace', apiGroups: [''], resources: ['secrets'], verbs: ['create'],
    why: 'create the webhook-TLS Secret when absent (create-if-absent by the first replica to start); create cannot be limited by name',
    usedBy: ['cluster-agent/webhook-tls/webhook-tls-secret.ts'],
  },
  {
    feature: 'image-pull-secrets', scope: 'watched-namespaces', apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'],
    why: 'find the pull secrets of a Pod\'s ServiceAccount (the Secrets themselves: the sync rule\'s get)',
    usedBy: ['cluster-agent/webhook/cluster-admission-lookups.ts (pullSecrets)'],
  },
  {
    feature: 'env-injection-admission', scope: 'watched-namespaces', apiGroups: ['akvsync.io'], resources: ['azurekeyvaultsecrets'], verbs: ['get'],
    why: 'read the AzureKeyVaultSecrets a Pod\'s placeholders name at admission (the CR index lives on the leader only; every replica admits)',
    usedBy: ['cluster-agent/webhook/cluster-admission-lookups.ts (akvsNamed)'],
  },
  {
    feature: 'env-injection-admission', scope: 'cluster', apiGroups: [''], resources: ['namespaces'], verbs: ['get'], limitedToWatchedNamespaces: true,
    why: 'read the labels of a Pod\'s namespace (akvsync.io/injection opt-in, and the access policy\'s namespace selectors); namespaces are cluster-scoped, so with a namespace list the rule names them (injection serves watched namespaces only)',
    usedBy: ['cluster-agent/tenancy/namespace-labels.ts (kubeNamespaceLabels, used by cluster-agent/webhook/webhook-component.ts)'],
  },
  {
    feature: 'akv2k8s-objects', scope: 'watched-namespaces', apiGroups: ['spv.no'], resources: ['azurekeyvaultsecrets'], verbs: ['list', 'watch'],
    why: 'the informer on akv2k8s\'s own AzureKeyVaultSecrets (spv.no/v2beta1) in the namespaces handed over from akv2k8s',
    usedBy: ['cluster-agent/akv2k8s/akv2k8s-component.ts'],
  },
  {
    feature: 'akv2k8s-objects', scope: 'watched-namespaces', apiGroups: ['spv.no'], resources: ['azurekeyvaultsecrets/status'], verbs: ['patch'],
    why: 'akv2k8s\'s five status fields (secretName/secretHash, configMapName/configMapHash, lastAzureUpdate), merge patch of the status subresource',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (patchStatus)'],
  },
  {
    feature: 'argo-rollouts', scope: 'watched-namespaces', apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['list', 'patch'],
    why: 'list the Rollouts of a namespace to find the opted-in ones; merge-patch spec.restartAt and the restart.akvsync.io/ annotation (a restart without a new revision)',
    usedBy: ['cluster-agent/adapters/kube-cluster-api.ts (listWorkloads, patchPodTemplateAnnotation)'],
  },
];
