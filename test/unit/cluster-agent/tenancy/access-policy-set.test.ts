import { AccessPolicySet } from '../../../../cluster-agent/tenancy/access-policy-set.js';
import { createLogger } from '../../../../cluster-agent/logger.js';

const request = { namespace: 'ns', namespaceLabels: { team: 'a' }, vault: 'kv-a', objectType: 'secret' as const, objectName: 'team-a-db' };
const policy = (grants: unknown) => ({ metadata: { name: 'team-a' }, spec: { namespaceSelector: { matchLabels: { team: 'a' } }, grants } });

describe('watched access policies', () => {
  it('denies everything until a policy arrives, then follows upserts and deletes, calling back on each change in force', () => {
    const lines: string[] = [];
    let changes = 0;
    const set = AccessPolicySet.watched(createLogger('info', { write: (l: string) => void lines.push(l) }), () => void changes++);
    expect(set.current().evaluate(request).allowed).toBe(false);

    set.upsert(policy([{ vault: 'kv-a', objects: ['team-a-*'] }]));
    expect(set.current().evaluate(request).allowed).toBe(true);

    set.remove(policy([]));
    expect(set.current().evaluate(request).allowed).toBe(false);
    expect(changes).toBe(2);
  });

  it('keeps the last valid spec of a policy that turns invalid, and says so', () => {
    const lines: string[] = [];
    let changes = 0;
    const set = AccessPolicySet.watched(createLogger('info', { write: (l: string) => void lines.push(l) }), () => void changes++);
    set.upsert(policy([{ vault: 'kv-a', objects: ['team-a-*'] }]));

    set.upsert(policy([{ vault: 'kv/a', objects: [] }]));

    expect(set.current().evaluate(request).allowed).toBe(true);
    expect(changes).toBe(1);
    expect(lines.join('\n')).toMatch(/last valid spec stays in force/);
    expect(lines.join('\n')).toMatch(/spec.grants\[0\].vault/);
  });

  it('fixed sets: none allows everything unenforced; a file enforces its policies', () => {
    expect(AccessPolicySet.allowEverything().current()).toMatchObject({ enforced: false });
    expect(AccessPolicySet.fixed([]).current().evaluate(request).allowed).toBe(false);
  });
});
