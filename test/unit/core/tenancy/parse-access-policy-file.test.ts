import { parseAccessPolicyFile } from '../../../../core/tenancy/parse-access-policy-file.js';

const doc = (name: string, spec = 'namespaceSelector: {matchLabels: {team: a}}\n  grants: [{vault: kv-a, objects: ["team-a-*"]}]') =>
  `apiVersion: akvsync.io/v1\nkind: AzureKeyVaultAccessPolicy\nmetadata:\n  name: ${name}\nspec:\n  ${spec}\n`;

describe('policy files', () => {
  it('reads every AzureKeyVaultAccessPolicy document', () => {
    const result = parseAccessPolicyFile(`${doc('team-a')}---\n${doc('team-b')}---\n`);
    expect(result).toEqual({ ok: true, policies: [
      { name: 'team-a', spec: { namespaceSelector: { matchLabels: { team: 'a' } }, grants: [{ vault: 'kv-a', objects: ['team-a-*'] }] } },
      { name: 'team-b', spec: { namespaceSelector: { matchLabels: { team: 'a' } }, grants: [{ vault: 'kv-a', objects: ['team-a-*'] }] } },
    ] });
  });

  it('yields no policies when any document is wrong, and names the document and field', () => {
    const result = parseAccessPolicyFile(`${doc('team-a')}---\n${doc('team-b', 'namespaceSelector: {}')}---\nkind: Secret\nmetadata: {name: x}\n`);
    expect(result).toEqual({ ok: false, errors: [
      'document 2 (team-b): spec.grants: is required',
      'document 3.apiVersion: must be akvsync.io/v1',
      'document 3.kind: must be AzureKeyVaultAccessPolicy',
      'document 3 (x): spec: is required',
    ] });
  });

  it('refuses duplicates, bad names, broken YAML and an empty file', () => {
    expect(parseAccessPolicyFile(`${doc('a')}---\n${doc('a')}`)).toEqual({ ok: false, errors: ["document 2: policy 'a' is defined twice"] });
    expect(parseAccessPolicyFile(doc('Not_A_Name'))).toEqual({ ok: false, errors: ['document 1.metadata.name: must be a Kubernetes object name'] });
    expect(parseAccessPolicyFile('spec: [unclosed')).toMatchObject({ ok: false, errors: [expect.stringMatching(/^document 1: not valid YAML/)] });
    expect(parseAccessPolicyFile('')).toEqual({ ok: false, errors: ['the file defines no AzureKeyVaultAccessPolicy (an empty policy would forbid everything)'] });
  });
});
