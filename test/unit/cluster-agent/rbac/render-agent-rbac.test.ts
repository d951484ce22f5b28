import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { AGENT_FEATURES, AGENT_RBAC_RULES } from '../../../../cluster-agent/rbac/agent-rbac-rules.js';
import { agentRbacManifests } from '../../../../cluster-agent/rbac/agent-rbac-manifests.js';
import { renderAgentRbac } from '../../../../cluster-agent/rbac/render-agent-rbac.js';
import type { AgentRbacOptions, RbacRule } from '../../../../cluster-agent/rbac/render-agent-rbac.js';

const base: AgentRbacOptions = {
  name: 'akvsync-agent', namespace: 'akvsync', serviceAccount: 'akvsync-agent', watchNamespaces: ['team-a', 'team-b'],
  names: { dataHashKeySecret: 'the-key', leaderElectionLease: 'the-lease' },
};
const objects = (o: Partial<AgentRbacOptions> = {}): { kind: string; metadata: { name: string; namespace?: string }; rules?: RbacRule[] }[] =>
  renderAgentRbac({ ...base, ...o }).map((r) => r.object as never);
const kinds = (o: Partial<AgentRbacOptions> = {}): string[] => objects(o).map((x) => `${x.kind} ${x.metadata.namespace ?? '-'}/${x.metadata.name}`);

describe('the agent RBAC', () => {
  it('is committed in cluster-agent/manifests exactly as generated (run cluster-agent/manifests/generate-rbac.ts)', () => {
    for (const { file, yaml } of agentRbacManifests()) {
      expect({ file, yaml: readFileSync(new URL(`../../../../cluster-agent/manifests/${file}`, import.meta.url), 'utf8') }).toEqual({ file, yaml });
      const docs = parseAllDocuments(yaml);
      expect(docs.every((d) => d.errors.length === 0)).toBe(true);
      expect(yaml).toContain('# sync: the CR informer');
    }
  });

  const noWebhook = ['env-injection-admission', 'image-pull-secrets', 'env-exec-token-review'] as const;
  const noTenancy: Partial<AgentRbacOptions> = { disabled: ['tenant-access-policy', 'tenant-namespace-labels', 'tenant-identity', ...noWebhook] };

  it('with a namespace list, no access policy and no webhook: a Role + RoleBinding per watched namespace and in its own namespace, no ClusterRole', () => {
    expect(kinds(noTenancy)).toEqual([
      'Role team-a/akvsync-agent', 'RoleBinding team-a/akvsync-agent',
      'Role team-b/akvsync-agent', 'RoleBinding team-b/akvsync-agent',
      'Role akvsync/akvsync-agent-own-namespace', 'RoleBinding akvsync/akvsync-agent-own-namespace',
      'ValidatingAdmissionPolicy -/akvsync-agent-restart-only', 'ValidatingAdmissionPolicyBinding -/akvsync-agent-restart-only',
    ]);
  });

  it('with a namespace list and an access policy: only the cluster-scoped tenancy reads (policies, the watched namespaces by name) in a ClusterRole; TokenRequest per watched namespace', () => {
    const all = objects({ disabled: [...noWebhook] });
    const clusterRole = all.find((x) => x.kind === 'ClusterRole');
    expect(clusterRole?.rules).toEqual([
      { apiGroups: ['akvsync.io'], resources: ['azurekeyvaultaccesspolicies'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'], resourceNames: ['team-a', 'team-b'] },
    ]);
    const teamA = all.find((x) => x.kind === 'Role' && x.metadata.namespace === 'team-a');
    expect(teamA?.rules).toContainEqual({ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] });
  });

  it('with the webhook: TokenReview and the watched namespaces\' get in a ClusterRole, pods, the named AzureKeyVaultSecrets and ServiceAccounts get per watched namespace', () => {
    const all = objects({ disabled: ['tenant-access-policy', 'tenant-namespace-labels', 'tenant-identity'] });
    expect(all.find((x) => x.kind === 'ClusterRole')?.rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'], resourceNames: ['team-a', 'team-b'] },
    ]);
    const teamA = all.find((x) => x.kind === 'Role' && x.metadata.namespace === 'team-a');
    expect(teamA?.rules).toContainEqual({ apiGroups: ['akvsync.io'], resources: ['azurekeyvaultsecrets'], verbs: ['get'] });
    expect(teamA?.rules).toContainEqual({ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] });
    expect(teamA?.rules).toContainEqual({ apiGroups: [''], resources: ['pods'], verbs: ['get'] });
  });

  it('for all namespaces: the watched-namespace rules in one ClusterRole; the key Secret still only in its own namespace', () => {
    const all = objects({ watchNamespaces: [], restartOnlyPolicy: false });
    expect(all.map((x) => x.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    expect(all[0]?.rules?.some((r) => r.resources.includes('secrets') && r.verbs.includes('get') && r.resourceNames === undefined)).toBe(true);
    expect(all[0]?.rules?.filter((r) => r.resources.includes('namespaces')).map((r) => r.resourceNames)).toEqual([undefined, undefined]);
    expect(all[2]?.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['the-key'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['the-lease'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
  });

  it('binds only the agent ServiceAccount', () => {
    for (const o of renderAgentRbac(base).map((r) => r.object as { kind: string; subjects?: unknown[] })) {
      if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
        expect(o.subjects).toEqual([{ kind: 'ServiceAccount', name: 'akvsync-agent', namespace: 'akvsync' }]);
      }
    }
  });

  it('grants no wildcard, no delete, no escalation, and never a verb RBAC cannot limit by name on a named rule', () => {
    for (const rule of AGENT_RBAC_RULES) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      expect(rule.verbs.filter((v) => ['delete', 'deletecollection', 'update', 'escalate', 'bind', 'impersonate'].includes(v) && rule.feature !== 'leader-election')).toEqual([]);
      if (rule.namedBy) expect(rule.verbs.filter((v) => ['create', 'list', 'watch', 'deletecollection'].includes(v))).toEqual([]);
      expect(rule.why.length).toBeGreaterThan(20);
      expect(rule.usedBy.length).toBeGreaterThan(0);
    }
  });

  it('renders only built features, and leaves out an optional one the settings switch off', () => {
    const rendered = renderAgentRbac({ ...base, watchNamespaces: [] }).flatMap((r) => r.sources);
    expect(new Set(rendered.map((r) => r.feature))).toEqual(new Set(Object.entries(AGENT_FEATURES).filter(([, f]) => f.built).map(([name]) => name)));
    expect(kinds({ disabled: ['data-hash-key-secret', 'leader-election'] })).not.toContain('Role akvsync/akvsync-agent-own-namespace');
    expect(objects({ disabled: ['leader-election'] }).find((o) => o.metadata.name === 'akvsync-agent-own-namespace')?.rules?.map((r) => r.resources[0])).toEqual(['secrets', 'secrets']);
    expect(() => renderAgentRbac({ ...base, disabled: ['sync'] })).toThrow('feature sync cannot be switched off');
    expect(() => renderAgentRbac({ ...base, names: {} })).toThrow('needs the name dataHashKeySecret');
  });

  it('names only built code as the user of a built rule', () => {
    for (const rule of AGENT_RBAC_RULES.filter((r) => AGENT_FEATURES[r.feature].built)) {
      for (const user of rule.usedBy) expect(() => readFileSync(new URL(`../../../../${user.split(' ')[0]}`, import.meta.url))).not.toThrow();
    }
  });

  it('applies the restart-only policy to the agent ServiceAccount only', () => {
    const policy = objects().find((o) => o.kind === 'ValidatingAdmissionPolicy') as unknown as { spec: { matchConditions: { expression: string }[] } };
    expect(policy.spec.matchConditions).toEqual([{ name: 'is-the-akvsync-agent', expression: "request.userInfo.username == 'system:serviceaccount:akvsync:akvsync-agent'" }]);
  });
});
