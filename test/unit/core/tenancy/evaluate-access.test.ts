import fc from 'fast-check';
import { ALLOW_EVERYTHING, compileAccessPolicies, type AccessRequest } from '../../../../core/tenancy/evaluate-access.js';
import { TEAM_A_CLIENT, accessPolicy } from './access-policy-builder.js';

const request = (overrides: Partial<AccessRequest> = {}): AccessRequest => ({
  namespace: 'team-a-apps', namespaceLabels: { team: 'a' }, vault: 'kv-a', objectType: 'secret', objectName: 'team-a-db', ...overrides,
});

describe('access evaluation', () => {
  const policies = compileAccessPolicies([
    accessPolicy('team-a', { identity: { serviceAccountName: 'akvsync-reader', clientId: TEAM_A_CLIENT } }),
    accessPolicy('team-b', { namespaceSelector: { matchLabels: { team: 'b' } }, grants: [{ vault: 'kv-b', objects: ['*'], objectTypes: ['certificate'] }] }),
  ]);

  it('allows what a grant of a selecting policy covers, with that policy and its identity', () => {
    expect(policies.evaluate(request())).toEqual({
      allowed: true, policy: 'team-a', identity: { serviceAccountName: 'akvsync-reader', clientId: TEAM_A_CLIENT },
    });
    expect(policies.evaluate(request({ namespaceLabels: { team: 'b' }, vault: 'KV-B', objectType: 'certificate', objectName: 'x' }))).toEqual({ allowed: true, policy: 'team-b' });
  });

  it("forbids another team's object, naming the policies that select the namespace", () => {
    const decision = policies.evaluate(request({ namespace: 'team-b-apps', namespaceLabels: { team: 'b' } }));
    expect(decision).toEqual({
      allowed: false,
      message: "namespace 'team-b-apps' may not read secret 'team-a-db' of vault 'kv-a': no grant of the AzureKeyVaultAccessPolicy(s) selecting namespace 'team-b-apps' (team-b) covers it",
    });
  });

  it('forbids a namespace no policy selects, and an object type outside the grant', () => {
    expect(policies.evaluate(request({ namespaceLabels: {} }))).toMatchObject({ allowed: false, message: expect.stringContaining("no AzureKeyVaultAccessPolicy selects namespace 'team-a-apps'") });
    expect(policies.evaluate(request({ namespaceLabels: { team: 'b' }, vault: 'kv-b', objectType: 'secret' })).allowed).toBe(false);
  });

  it('with no policies at all, enforcement forbids everything (deny by default)', () => {
    const none = compileAccessPolicies([]);
    expect(none.enforced).toBe(true);
    expect(none.evaluate(request()).allowed).toBe(false);
  });

  it('the first policy by name decides the identity when several would allow', () => {
    const both = compileAccessPolicies([
      accessPolicy('z-shared', { namespaceSelector: {}, grants: [{ vault: '*', objects: ['*'] }] }),
      accessPolicy('a-team', { identity: { serviceAccountName: 'reader', clientId: TEAM_A_CLIENT } }),
    ]);
    expect(both.evaluate(request())).toMatchObject({ allowed: true, policy: 'a-team', identity: { serviceAccountName: 'reader' } });
    expect(both.evaluate(request({ objectName: 'other' }))).toEqual({ allowed: true, policy: 'z-shared' });
  });

  it('the default allows everything and is not enforced', () => {
    expect(ALLOW_EVERYTHING.enforced).toBe(false);
    expect(ALLOW_EVERYTHING.evaluate(request({ namespaceLabels: {} }))).toEqual({ allowed: true });
  });

  it('decides from the request alone: the same request gets the same decision and message (nothing depends on the vault)', () => {
    const objectName = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    fc.assert(fc.property(objectName, fc.constantFrom('a', 'b', 'c'), (name, team) => {
      const r = request({ objectName: name, namespaceLabels: { team } });
      const first = policies.evaluate(r);
      expect(policies.evaluate({ ...r })).toEqual(first);
      // team a may read exactly its own prefix in kv-a
      expect(first.allowed).toBe(team === 'a' && name.startsWith('team-a-'));
    }));
  });
});
