import { loadAgentConfig } from '../../../../cluster-agent/config.js';

const BASE = { AKVSYNC_NOTIFY_ENABLED: 'false' };
const POLICY_FILE = `apiVersion: akvsync.io/v1
kind: AzureKeyVaultAccessPolicy
metadata: {name: team-a}
spec:
  namespaceSelector: {matchLabels: {team: a}}
  grants: [{vault: kv-a, objects: ["team-a-*"]}]
`;
const load = (env: Record<string, string>, files: Record<string, string> = {}) => loadAgentConfig({ ...BASE, ...env }, [], (p) => {
  const content = files[p];
  if (content === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
  return content;
});

describe('tenancy settings', () => {
  it('defaults to no policy, with a plain warning that says how to set one', () => {
    const c = load({});
    expect(c.tenancy).toEqual({ policy: { source: 'none' }, tokenExpirationSeconds: 3600 });
    expect(c.warnings.join('\n')).toMatch(/NO ACCESS POLICY IS IN FORCE.*AKVSYNC_ACCESS_POLICY=crd.*AKVSYNC_ACCESS_POLICY_FILE/);
  });

  it('reads policies from AzureKeyVaultAccessPolicy objects or a validated file, and then warns no more', () => {
    expect(load({ AKVSYNC_ACCESS_POLICY: 'crd', AKVSYNC_TENANT_TOKEN_EXPIRATION: '20m' })).toMatchObject({ tenancy: { policy: { source: 'crd' }, tokenExpirationSeconds: 1200 }, warnings: [] });
    const fromFile = load({ AKVSYNC_ACCESS_POLICY_FILE: '/p.yaml' }, { '/p.yaml': POLICY_FILE });
    expect(fromFile.tenancy.policy).toMatchObject({ source: 'file', path: '/p.yaml', policies: [{ name: 'team-a' }] });
    expect(fromFile.warnings).toEqual([]);
  });

  it('names the setting and the bad field', () => {
    expect(() => load({ AKVSYNC_ACCESS_POLICY: 'everything' })).toThrow(/AKVSYNC_ACCESS_POLICY must be one of none, crd, file/);
    expect(() => load({ AKVSYNC_ACCESS_POLICY: 'file' })).toThrow(/AKVSYNC_ACCESS_POLICY_FILE is required/);
    expect(() => load({ AKVSYNC_ACCESS_POLICY: 'crd', AKVSYNC_ACCESS_POLICY_FILE: '/p.yaml' })).toThrow(/AKVSYNC_ACCESS_POLICY_FILE is set, but AKVSYNC_ACCESS_POLICY is crd/);
    expect(() => load({ AKVSYNC_ACCESS_POLICY_FILE: '/p.yaml' }, { '/p.yaml': POLICY_FILE.replace('grants', 'grant') })).toThrow(
      /AKVSYNC_ACCESS_POLICY_FILE \/p.yaml is not a valid policy file: document 1 \(team-a\): spec.grants: is required; document 1 \(team-a\): spec.grant: is not a known field/,
    );
    expect(() => load({ AKVSYNC_TENANT_TOKEN_EXPIRATION: '5m' })).toThrow(/AKVSYNC_TENANT_TOKEN_EXPIRATION must be at least 600000 ms/);
  });
});
