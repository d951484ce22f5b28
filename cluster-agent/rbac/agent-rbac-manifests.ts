/**
 * The RBAC manifests committed in cluster-agent/manifests/ (the Helm chart takes them from there): the default install
 * (namespace `akvsync`, ServiceAccount `akvsync-agent`, all namespaces) and an example with a namespace list.
 */
import { renderAgentRbacYaml } from './agent-rbac-yaml.js';
import type { AgentRbacOptions } from './render-agent-rbac.js';

const DEFAULTS = {
  name: 'akvsync-agent',
  namespace: 'akvsync',
  serviceAccount: 'akvsync-agent',
  names: { dataHashKeySecret: 'akvsync-data-hash-key', leaderElectionLease: 'akvsync-agent', webhookConfiguration: 'akvsync-env-injection', webhookTlsSecret: 'akvsync-webhook-tls' },
} as const satisfies Omit<AgentRbacOptions, 'watchNamespaces'>;

const header = (what: string): string =>
  `${what}\nGenerated from cluster-agent/rbac/agent-rbac-rules.ts by cluster-agent/manifests/generate-rbac.ts: do not edit.\n` +
  'Every rule and why: docs/agent.md#rbac-the-agent-needs';

export function agentRbacManifests(): { file: string; yaml: string }[] {
  return [
    {
      file: 'agent-rbac-all-namespaces.yaml',
      yaml: renderAgentRbacYaml({ ...DEFAULTS, watchNamespaces: [] }, header('akvsync agent RBAC, all namespaces (AKVSYNC_WATCH_NAMESPACES unset).')),
    },
    {
      file: 'agent-rbac-namespaces.example.yaml',
      yaml: renderAgentRbacYaml(
        { ...DEFAULTS, watchNamespaces: ['team-a', 'team-b'] },
        header('akvsync agent RBAC with a namespace list (example: AKVSYNC_WATCH_NAMESPACES=team-a,team-b): Roles only.'),
      ),
    },
  ];
}
