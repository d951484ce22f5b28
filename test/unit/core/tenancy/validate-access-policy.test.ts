import { validateAccessPolicySpec } from '../../../../core/tenancy/validate-access-policy.js';
import { TEAM_A_CLIENT, accessPolicy } from './access-policy-builder.js';

const errorsOf = (spec: unknown): string[] => {
  const result = validateAccessPolicySpec(spec);
  return result.ok ? [] : result.errors;
};

describe('AzureKeyVaultAccessPolicy validation', () => {
  it('accepts a full policy', () => {
    const spec = accessPolicy('x', {
      namespaceSelector: { matchLabels: { 'example.com/team': 'a' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
      grants: [{ vault: 'kv-*', objects: ['app-?', 'db'], objectTypes: ['secret', 'certificate'] }],
      identity: { serviceAccountName: 'akvsync-reader', clientId: TEAM_A_CLIENT },
    }).spec;
    expect(validateAccessPolicySpec(spec)).toEqual({ ok: true, spec });
  });

  it('names every missing or wrong field', () => {
    expect(errorsOf({})).toEqual(['spec.namespaceSelector: is required', 'spec.grants: is required']);
    expect(errorsOf(null)).toEqual(['spec: is required']);
    expect(errorsOf({ namespaceSelector: {}, grants: [] })).toEqual(['spec.grants: must have at least 1 item']);
    expect(errorsOf({ namespaceSelector: {}, grants: [{ vault: 'kv/a', objects: ['a.b'], objectTypes: ['password'] }], extra: 1 })).toEqual([
      'spec.extra: is not a known field',
      'spec.grants[0].vault: must be a Key Vault name or a glob of one (letters, digits, "-", "*" and "?")',
      'spec.grants[0].objects[0]: must be a Key Vault object name or a glob of one (letters, digits, "-", "*" and "?")',
      'spec.grants[0].objectTypes[0]: must be one of secret, certificate, key, multi-key-value-secret',
    ]);
    expect(errorsOf(accessPolicy('x', { identity: { serviceAccountName: 'Bad_Name', clientId: 'not-a-guid' } }).spec)).toEqual([
      'spec.identity.serviceAccountName: must be a Kubernetes object name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)',
      'spec.identity.clientId: must be at least 36 characters',
      'spec.identity.clientId: must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    ]);
  });

  it('checks selector operators and their values', () => {
    expect(errorsOf(accessPolicy('x', { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Matches' as 'In' }] } }).spec)).toEqual([
      'spec.namespaceSelector.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist',
    ]);
    expect(errorsOf(accessPolicy('x', { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In' }] } }).spec)).toEqual([
      'spec.namespaceSelector.matchExpressions[0].values: must not be empty for operator In',
    ]);
    expect(errorsOf(accessPolicy('x', { namespaceSelector: { matchLabels: { team: 'has space' } } }).spec)).toEqual([
      'spec.namespaceSelector.matchLabels.team: must be a label value (at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit)',
    ]);
  });

  it('never quotes a bad value in an error', () => {
    const secretish = 'S3cr3t-Value-Do-Not-Print';
    const errors = errorsOf({ namespaceSelector: { matchLabels: { team: `${secretish} !` } }, grants: [{ vault: `${secretish}/`, objects: [`${secretish}.`] }] });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).not.toContain(secretish);
  });
});
