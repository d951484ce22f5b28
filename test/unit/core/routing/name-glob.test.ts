import { compileNameGlob } from '../../../../core/routing/name-glob.js';

describe('compileNameGlob', () => {
  it.each([
    ['*', 'anything', true],
    ['db-*', 'db-password', true],
    ['db-*', 'DB-Password', true],
    ['db-*', 'api-db-password', false],
    ['db-?', 'db-1', true],
    ['db-?', 'db-12', false],
    ['tls-*-cert', 'tls-web-cert', true],
    ['tls-*-cert', 'tls-web-cert-old', false],
    ['a.b', 'axb', false],
    ['a.b', 'a.b', true],
    ['(x)+', '(x)+', true],
    ['(x)+', 'xx', false],
    ['exact-name', 'exact-name', true],
    ['exact-name', 'exact-name2', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(compileNameGlob(pattern)(name)).toBe(expected);
  });
});
