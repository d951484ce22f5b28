import { checkLabelSelector } from '../../../../core/crd/label-selector.js';

describe('checkLabelSelector', () => {
  it.each([
    ['someSecretLabel=someSecretValue', 'someSecretLabel=someSecretValue'],
    ['k=v, k2 == v2', 'k=v,k2 == v2'],
    ['example.com/team!=payments', 'example.com/team!=payments'],
    ['tier in (frontend, backend),!legacy,managed', 'tier in (frontend, backend),!legacy,managed'],
    ['env notin (dev)', 'env notin (dev)'],
    ['empty=', 'empty='],
  ])('accepts %j', (selector, normalised) => {
    expect(checkLabelSelector(selector)).toEqual({ ok: true, selector: normalised });
  });

  it.each([
    ['a=b,,c', 'requirement 2 is empty'],
    ['', 'requirement 1 is empty'],
    ['-bad=x', 'requirement 1 has an invalid label key'],
    ['k=bad value', 'requirement 1 is not a label selector requirement'],
    ['k=-v', 'requirement 1 has an invalid label value'],
    ['k in (a,,b)', 'requirement 1 has an invalid value in a set'],
    [`${'x'.repeat(64)}=v`, 'requirement 1 has an invalid label key'],
    ['UPPER.example.com/k=v', 'requirement 1 has an invalid label key'],
  ])('refuses %j: %s', (selector, reason) => {
    expect(checkLabelSelector(selector)).toEqual({ ok: false, reason });
  });
});
