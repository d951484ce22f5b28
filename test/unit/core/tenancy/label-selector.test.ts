import fc from 'fast-check';
import { compileLabelSelector, labelSelectorErrors, type LabelSelector } from '../../../../core/tenancy/label-selector.js';

const labelName = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const labels = fc.dictionary(labelName, labelName, { maxKeys: 5 });

describe('label selectors', () => {
  it('an empty selector matches every label set, including none', () => {
    fc.assert(fc.property(labels, (l) => compileLabelSelector({})(l)));
  });

  it('matchLabels means exactly the same as one In requirement per label', () => {
    fc.assert(fc.property(fc.dictionary(labelName, labelName, { maxKeys: 3 }), labels, (wanted, l) => {
      const byLabels = compileLabelSelector({ matchLabels: wanted })(l);
      const byExpressions = compileLabelSelector({ matchExpressions: Object.entries(wanted).map(([key, v]) => ({ key, operator: 'In', values: [v] })) })(l);
      return byLabels === byExpressions;
    }));
  });

  it('In and NotIn are complements when the key is present; NotIn and DoesNotExist match a missing key', () => {
    fc.assert(fc.property(labelName, fc.array(labelName, { minLength: 1, maxLength: 3 }), labels, (key, values, l) => {
      const inSel = compileLabelSelector({ matchExpressions: [{ key, operator: 'In', values }] })(l);
      const notIn = compileLabelSelector({ matchExpressions: [{ key, operator: 'NotIn', values }] })(l);
      return key in l ? inSel !== notIn : !inSel && notIn;
    }));
    const selector: LabelSelector = { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] };
    expect(compileLabelSelector(selector)({})).toBe(true);
    expect(compileLabelSelector(selector)({ team: '' })).toBe(false);
  });

  it('ANDs matchLabels and matchExpressions', () => {
    const matches = compileLabelSelector({ matchLabels: { team: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] });
    expect(matches({ team: 'a', env: 'prod' })).toBe(true);
    expect(matches({ team: 'a', env: 'dev' })).toBe(false);
    expect(matches({ team: 'b', env: 'prod' })).toBe(false);
    expect(matches({ env: 'prod' })).toBe(false);
  });

  it('reads labels as own properties only (a label named like an Object method is not inherited)', () => {
    expect(compileLabelSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] })({})).toBe(false);
    expect(compileLabelSelector({ matchExpressions: [{ key: 'constructor', operator: 'DoesNotExist' }] })({})).toBe(true);
  });

  it('names requirements whose values do not fit their operator', () => {
    expect(labelSelectorErrors({ matchExpressions: [
      { key: 'a', operator: 'In', values: [] },
      { key: 'b', operator: 'NotIn' },
      { key: 'c', operator: 'Exists', values: ['x'] },
      { key: 'd', operator: 'DoesNotExist' },
    ] }, 'spec.namespaceSelector')).toEqual([
      'spec.namespaceSelector.matchExpressions[0].values: must not be empty for operator In',
      'spec.namespaceSelector.matchExpressions[1].values: must not be empty for operator NotIn',
      'spec.namespaceSelector.matchExpressions[2].values: must be empty for operator Exists',
    ]);
  });
});
