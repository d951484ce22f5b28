import fc from 'fast-check';
import { parsePlaceholder, mentionsPlaceholder } from '../../../../core/injection/placeholder.js';

describe('parsePlaceholder (akv2k8s grammar <name>@azurekeyvault[?<query>])', () => {
  it.each([
    ['secret-inject@azurekeyvault', { akvs: 'secret-inject', query: undefined }],
    ['secret-inject@azurekeyvault?', { akvs: 'secret-inject', query: undefined }],
    ['db@azurekeyvault?username', { akvs: 'db', query: 'username' }],
    ['db@azurekeyvault?password', { akvs: 'db', query: 'password' }],
    ['certificate-inject@azurekeyvault?tls.crt', { akvs: 'certificate-inject', query: 'tls.crt' }],
    ['certificate-inject@azurekeyvault?tls.key', { akvs: 'certificate-inject', query: 'tls.key' }],
    ['certificate-inject@azurekeyvault?raw', { akvs: 'certificate-inject', query: 'raw' }],
    ['mkv@azurekeyvault?db-password', { akvs: 'mkv', query: 'db-password' }],
    ['mkv@azurekeyvault?DB_HOST', { akvs: 'mkv', query: 'DB_HOST' }],
    ['mkv@azurekeyvault?*', { akvs: 'mkv', query: '*' }],
    ['a.b@azurekeyvault', { akvs: 'a.b', query: undefined }],
  ])('%s', (value, expected) => {
    expect(parsePlaceholder(value)).toEqual(expected);
  });

  it.each([
    [undefined], ['plain value'], ['prefix-x@azurekeyvault '], ['x@azurekeyvault?a b'], ['X@azurekeyvault'],
    ['@azurekeyvault'], ['x@azurekeyvault?..'], ['{"a":"x@azurekeyvault"}'], ['x@azurekeyvaultz'], ['x@azurekeyvault?a?b'],
    ['x@other'],
  ])('leaves %j literal', (value) => {
    expect(parsePlaceholder(value)).toBeUndefined();
  });

  it('tells a literal value that mentions the marker from one that does not', () => {
    expect(mentionsPlaceholder('{"a":"x@azurekeyvault"}')).toBe(true);
    expect(mentionsPlaceholder('plain')).toBe(false);
  });

  it('round-trips every valid name and key (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    const key = fc.stringMatching(/^[-_a-zA-Z0-9][-._a-zA-Z0-9]{0,30}$/);
    fc.assert(fc.property(label, fc.option(key, { nil: undefined }), (akvs, query) => {
      const value = `${akvs}@azurekeyvault${query === undefined ? '' : `?${query}`}`;
      expect(parsePlaceholder(value)).toEqual({ akvs, query });
    }));
  });
});
