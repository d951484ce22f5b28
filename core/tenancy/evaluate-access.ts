/**
 * Tenancy decision for one read: (namespace + its labels, vault, object type, object name) → allowed (and as which
 * identity) or forbidden. Policies are tried in name order; the first grant that matches decides, and the identity
 * is that grant's policy's. The message is built from the policy and the CR's own spec only, so it is the same
 * whether or not the object exists (the decision is made before any Key Vault call).
 */
import { compileNameGlob } from '../routing/name-glob.js';
import type { AkvsObjectType } from '../crd/azure-key-vault-secret.js';
import { ACCESS_POLICY_KIND, type AccessPolicy, type TenantIdentity } from './access-policy.js';
import { compileLabelSelector, type Labels } from './label-selector.js';

/** The condition reason and Event reason of a forbidden CR. */
export const FORBIDDEN_REASON = 'Forbidden';

export interface AccessRequest {
  namespace: string;
  namespaceLabels: Labels;
  vault: string;
  objectType: AkvsObjectType;
  objectName: string;
}

export type AccessDecision =
  | { allowed: true; policy?: string; identity?: TenantIdentity }
  | { allowed: false; message: string };

export interface AccessEvaluator {
  /** False for the akv2k8s-compatible default: one identity, everything allowed. */
  readonly enforced: boolean;
  evaluate(request: AccessRequest): AccessDecision;
}

export const ALLOW_EVERYTHING: AccessEvaluator = Object.freeze({ enforced: false, evaluate: () => ({ allowed: true as const }) });

interface CompiledGrant {
  vault: (name: string) => boolean;
  objects: ((name: string) => boolean)[];
  types: readonly AkvsObjectType[] | undefined;
}

interface CompiledPolicy {
  name: string;
  selects: (labels: Labels) => boolean;
  grants: CompiledGrant[];
  identity: TenantIdentity | undefined;
}

function grantMatches(grant: CompiledGrant, request: AccessRequest): boolean {
  return grant.vault(request.vault)
    && (grant.types === undefined || grant.types.includes(request.objectType))
    && grant.objects.some((matches) => matches(request.objectName));
}

/** Policies must be valid (validateAccessPolicySpec). With none, everything is forbidden: enforcement is deny by default. */
export function compileAccessPolicies(policies: readonly AccessPolicy[]): AccessEvaluator {
  const compiled: CompiledPolicy[] = [...policies]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => ({
      name: p.name,
      selects: compileLabelSelector(p.spec.namespaceSelector),
      grants: p.spec.grants.map((g) => ({ vault: compileNameGlob(g.vault), objects: g.objects.map(compileNameGlob), types: g.objectTypes })),
      identity: p.spec.identity,
    }));
  return Object.freeze({
    enforced: true,
    evaluate(request: AccessRequest): AccessDecision {
      const selecting = compiled.filter((p) => p.selects(request.namespaceLabels));
      for (const policy of selecting) {
        if (policy.grants.some((g) => grantMatches(g, request))) {
          return policy.identity ? { allowed: true, policy: policy.name, identity: policy.identity } : { allowed: true, policy: policy.name };
        }
      }
      const what = `${request.objectType} '${request.objectName}' of vault '${request.vault}'`;
      const why = selecting.length === 0
        ? `no ${ACCESS_POLICY_KIND} selects namespace '${request.namespace}'`
        : `no grant of the ${ACCESS_POLICY_KIND}(s) selecting namespace '${request.namespace}' (${selecting.map((p) => p.name).join(', ')}) covers it`;
      return { allowed: false, message: `namespace '${request.namespace}' may not read ${what}: ${why}` };
    },
  });
}
