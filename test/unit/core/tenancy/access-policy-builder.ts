/** Valid AzureKeyVaultAccessPolicy defaults plus overrides, for tenancy tests. */
import type { AccessPolicy, AccessPolicySpec } from '../../../../core/tenancy/access-policy.js';

export const TEAM_A_CLIENT = '0000000a-0000-4000-8000-00000000000a';

export function accessPolicy(name: string, overrides: Partial<AccessPolicySpec> = {}): AccessPolicy {
  return {
    name,
    spec: {
      namespaceSelector: { matchLabels: { team: 'a' } },
      grants: [{ vault: 'kv-a', objects: ['team-a-*'] }],
      ...overrides,
    },
  };
}
