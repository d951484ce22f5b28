/**
 * Renders the agent's rules (agent-rbac-rules.ts) as Kubernetes objects for one install:
 * - all namespaces (no namespace list): one ClusterRole + ClusterRoleBinding with the watched-namespace and cluster rules;
 * - a namespace list: a Role + RoleBinding in each watched namespace, and a ClusterRole only for rights that cannot be
 *   namespaced (none of the features built today needs one);
 * - either way a Role + RoleBinding in the agent's own namespace, and the restart-only ValidatingAdmissionPolicy.
 * Only built features are rendered, minus the optional ones the settings switch off.
 */
import { AGENT_FEATURES, AGENT_RBAC_RULES } from './agent-rbac-rules.js';
import type { AgentFeature, AgentRbacRule, NamedBy, RbacScope } from './agent-rbac-rules.js';
import { restartOnlyPolicy } from './restart-only-policy.js';

export interface AgentRbacOptions {
  /** Base name of every Role, ClusterRole, binding and the policy. */
  readonly name: string;
  /** The agent's namespace (AKVSYNC_NAMESPACE) and ServiceAccount. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** AKVSYNC_WATCH_NAMESPACES; empty = all namespaces (ClusterRole). */
  readonly watchNamespaces: readonly string[];
  /** Names the settings give (AKVSYNC_DATA_HASH_KEY_SECRET, …) for `resourceNames`. */
  readonly names?: Partial<Record<NamedBy, string>>;
  /** Optional features switched off by the settings (e.g. data-hash-key-secret with AKVSYNC_DATA_HASH_KEY_FILE). */
  readonly disabled?: readonly AgentFeature[];
  /** Ship the restart-only ValidatingAdmissionPolicy (default true). */
  readonly restartOnlyPolicy?: boolean;
}

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** A rendered object with, per rule, the source rule it came from (for comments and docs). */
export interface RenderedRbacObject {
  readonly object: Record<string, unknown>;
  readonly sources: readonly AgentRbacRule[];
}

export const RBAC_LABELS = { 'app.kubernetes.io/name': 'akvsync', 'app.kubernetes.io/component': 'agent' } as const;

/** The rules rendered for these options, per scope. */
export function activeRules(options: Pick<AgentRbacOptions, 'disabled'>, scope: RbacScope): AgentRbacRule[] {
  const disabled = new Set(options.disabled ?? []);
  for (const feature of disabled) {
    if (!AGENT_FEATURES[feature].optional) throw new Error(`feature ${feature} cannot be switched off`);
  }
  return AGENT_RBAC_RULES.filter((r) => r.scope === scope && AGENT_FEATURES[r.feature].built && !disabled.has(r.feature));
}

function toRbacRule(rule: AgentRbacRule, options: AgentRbacOptions): RbacRule {
  const out: RbacRule = { apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] };
  if (rule.namedBy) {
    const name = options.names?.[rule.namedBy];
    if (!name) throw new Error(`rule for ${rule.resources.join(',')} needs the name ${rule.namedBy}`);
    out.resourceNames = [name];
  }
  if (rule.limitedToWatchedNamespaces && options.watchNamespaces.length > 0) out.resourceNames = [...options.watchNamespaces];
  return out;
}

export function renderAgentRbac(options: AgentRbacOptions): RenderedRbacObject[] {
  const subject = { kind: 'ServiceAccount', name: options.serviceAccount, namespace: options.namespace };
  const meta = (name: string, namespace?: string): Record<string, unknown> => ({ name, ...(namespace ? { namespace } : {}), labels: { ...RBAC_LABELS } });
  const role = (kind: 'Role' | 'ClusterRole', name: string, rules: AgentRbacRule[], namespace?: string): RenderedRbacObject[] => [
    { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: meta(name, namespace), rules: rules.map((r) => toRbacRule(r, options)) }, sources: rules },
    {
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: `${kind}Binding`, metadata: meta(name, namespace),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name }, subjects: [subject],
      },
      sources: [],
    },
  ];
  const watched = activeRules(options, 'watched-namespaces');
  const cluster = activeRules(options, 'cluster');
  const own = activeRules(options, 'own-namespace');
  const objects: RenderedRbacObject[] = [];
  if (options.watchNamespaces.length === 0) {
    objects.push(...role('ClusterRole', options.name, [...watched, ...cluster]));
  } else {
    if (cluster.length > 0) objects.push(...role('ClusterRole', `${options.name}-cluster`, cluster));
    for (const ns of options.watchNamespaces) objects.push(...role('Role', options.name, watched, ns));
  }
  if (own.length > 0) objects.push(...role('Role', `${options.name}-own-namespace`, own, options.namespace));
  if (options.restartOnlyPolicy ?? true) {
    const policyName = `${options.name}-restart-only`;
    objects.push(...restartOnlyPolicy({ name: policyName, namespace: options.namespace, serviceAccount: options.serviceAccount }).map((object) => ({ object, sources: [] })));
  }
  return objects;
}
