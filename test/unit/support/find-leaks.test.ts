import { findLeaks } from '../../support/find-leaks.js';

const VALUE = 'e2e-value-0123456789abcdef01234567';
const b64 = Buffer.from(VALUE).toString('base64');
const b64url = Buffer.from(`${VALUE}??>`).toString('base64url');

describe('findLeaks', () => {
  it('finds nothing in clean text', () => {
    expect(findLeaks([VALUE], { logs: ['{"msg":"output written","dataHash":"abc"}'], events: [] })).toEqual([]);
  });

  it('names the place, line, value and form of every leak, and masks every value in the excerpt', () => {
    const leaks = findLeaks(['other-value', VALUE, `${VALUE}??>`], {
      logs: ['clean', `{"msg":"sync failed","err":"body ${b64}"}`],
      status: [`{"message":"${VALUE} and ${b64url}"}`],
    });

    expect(leaks.map(({ place, index, value, form }) => ({ place, index, value, form }))).toEqual([
      { place: 'logs', index: 1, value: 1, form: 'base64' },
      { place: 'status', index: 0, value: 2, form: 'base64url' },
      { place: 'status', index: 0, value: 1, form: 'raw' },
    ]);
    expect(leaks[0]?.masked).toBe('{"msg":"sync failed","err":"body [value#1:base64]"}');
    expect(leaks[1]?.masked).toBe('{"message":"[value#1:raw] and [value#2:base64url]"}');
    for (const leak of leaks) for (const form of [VALUE, b64, b64url]) expect(leak.masked).not.toContain(form);
  });

  it('keeps the excerpt short and around the leak', () => {
    const line = `${'x'.repeat(1000)} ${VALUE} ${'y'.repeat(1000)}`;
    const [leak] = findLeaks([VALUE], { logs: [line] }, 100);

    expect(leak?.masked).toContain('[value#0:raw]');
    expect(leak?.masked.length).toBeLessThanOrEqual(102);
  });
});
