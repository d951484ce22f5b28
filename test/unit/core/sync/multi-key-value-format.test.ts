import { TerminalError } from '../../../../core/errors.js';
import { multiKeyValueFormat } from '../../../../core/sync/multi-key-value-format.js';

describe('multiKeyValueFormat', () => {
  it('uses the spec contentType first', () => {
    expect(multiKeyValueFormat('application/x-json', 'application/yaml')).toBe('json');
    expect(multiKeyValueFormat('application/x-yaml', 'application/json')).toBe('yaml');
  });

  it.each([
    ['application/json', 'json'], ['application/x-json', 'json'], ['Application/JSON; charset=utf-8', 'json'], ['text/json', 'json'],
    ['application/yaml', 'yaml'], ['application/x-yaml', 'yaml'], ['text/yaml', 'yaml'], ['text/x-yaml', 'yaml'],
  ] as const)('falls back to the Key Vault content type %s', (contentType, format) => {
    expect(multiKeyValueFormat(undefined, contentType)).toBe(format);
  });

  it.each([undefined, '', 'text/plain', 'application/x-pkcs12'])('asks for spec.vault.object.contentType when Key Vault says %p', (contentType) => {
    expect(() => multiKeyValueFormat(undefined, contentType)).toThrow(TerminalError);
    expect(() => multiKeyValueFormat(undefined, contentType)).toThrow(/^spec\.vault\.object\.contentType: is required/);
  });
});
