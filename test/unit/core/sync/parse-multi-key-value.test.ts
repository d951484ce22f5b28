import { parseMultiKeyValue } from '../../../../core/sync/parse-multi-key-value.js';
import { expectNoSecretIn, terminalErrorFrom } from './terminal-error.js';

const subject = { objectName: 'db-config', version: 'v7' };
const SECRET = 'S3cr3t-Value-Never-Shown';

const expectNoValue = (error: Error): void => expectNoSecretIn(error, SECRET);
const failure = terminalErrorFrom;

describe('parseMultiKeyValue: JSON', () => {
  it('reads a flat object of strings', () => {
    expect(parseMultiKeyValue('{"key1":"value1","key-2":"v2"}', 'json', subject)).toEqual([['key1', 'value1'], ['key-2', 'v2']]);
  });

  it('keeps numbers as written, booleans as true/false, null as empty', () => {
    expect(parseMultiKeyValue('{"port":5432,"ratio":1.50,"big":12345678901234567890,"exp":1e3,"on":true,"off":false,"none":null}', 'json', subject))
      .toEqual([['port', '5432'], ['ratio', '1.50'], ['big', '12345678901234567890'], ['exp', '1e3'], ['on', 'true'], ['off', 'false'], ['none', '']]);
  });

  it('refuses nested objects and arrays, pointing at the key by position: neither the key nor the value is quoted', () => {
    const nested = failure(() => parseMultiKeyValue(`{"ok":"x","db":{"password":"${SECRET}"}}`, 'json', subject));
    expect(nested.code).toBe('InvalidMultiKeyValue');
    expect(nested.message).toContain('the key at position 2 holds a nested object or list');
    expect(nested.message).not.toContain('"db"');
    expectNoValue(nested);
    expect(failure(() => parseMultiKeyValue(`{"list":["${SECRET}"]}`, 'json', subject)).message).toContain('the key at position 1 holds');
  });

  it.each([
    ['not JSON', `password=${SECRET}`],
    ['truncated JSON', `{"a":"${SECRET}`],
    ['a JSON string', `"${SECRET}"`],
    ['a JSON array', `["${SECRET}"]`],
    ['a JSON number', '42'],
    ['null', 'null'],
  ])('refuses %s without quoting it', (_name, text) => {
    const error = failure(() => parseMultiKeyValue(text, 'json', subject));
    expect(error.code).toBe('InvalidMultiKeyValue');
    expect(error.message).toMatch(/^Key Vault secret 'db-config' version v7 /);
    expectNoValue(error);
  });

  it('refuses an empty object rather than blanking the output', () => {
    expect(failure(() => parseMultiKeyValue('{}', 'json', subject)).message).toContain('holds no keys');
  });

  it('keeps "__proto__" as an ordinary key', () => {
    expect(parseMultiKeyValue('{"__proto__":"x"}', 'json', subject)).toEqual([['__proto__', 'x']]);
  });
});

describe('parseMultiKeyValue: YAML', () => {
  it('reads scalars as strings, as written', () => {
    const text = 'key1: value1\nport: 5432\nratio: 1.50\non: true\nyes: yes\nquoted: "a: b"\nempty:\ntilde: ~\nmultiline: |\n  line1\n  line2\n';
    expect(parseMultiKeyValue(text, 'yaml', subject)).toEqual([
      ['key1', 'value1'], ['port', '5432'], ['ratio', '1.50'], ['on', 'true'], ['yes', 'yes'], ['quoted', 'a: b'],
      ['empty', ''], ['tilde', '~'], ['multiline', 'line1\nline2\n'],
    ]);
  });

  it('resolves aliases to scalars', () => {
    expect(parseMultiKeyValue('a: &x shared\nb: *x\n', 'yaml', subject)).toEqual([['a', 'shared'], ['b', 'shared']]);
  });

  it('refuses nesting, pointing at the key by position', () => {
    const error = failure(() => parseMultiKeyValue(`db:\n  password: ${SECRET}\n`, 'yaml', subject));
    expect(error.message).toContain('the key at position 1 holds a nested object or list');
    expect(error.message).not.toContain(' db ');
    expect(error.message).not.toContain('password');
    expectNoValue(error);
  });

  it.each([
    ['a plain scalar', SECRET],
    ['a list', `- ${SECRET}\n`],
    ['bad indentation', `a: 1\n  b: ${SECRET}\n c: 2`],
    ['duplicate keys', `a: ${SECRET}\na: other\n`],
    ['two documents', `a: ${SECRET}\n---\nb: 2\n`],
    ['an unterminated quote', `a: "${SECRET}\n`],
  ])('refuses %s without quoting it', (_name, text) => {
    const error = failure(() => parseMultiKeyValue(text, 'yaml', subject));
    expect(error.code).toBe('InvalidMultiKeyValue');
    expectNoValue(error);
  });

  it('says where a syntax error is, by line and column only', () => {
    expect(failure(() => parseMultiKeyValue(`a: "${SECRET}\n`, 'yaml', subject)).message).toMatch(/is not valid YAML at line \d+, column \d+/);
  });

  it('refuses an empty document', () => {
    expect(failure(() => parseMultiKeyValue('', 'yaml', subject)).code).toBe('InvalidMultiKeyValue');
  });
});
