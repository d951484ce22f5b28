import { applyTransforms } from '../../../../core/sync/transforms.js';
import { expectNoSecretIn, terminalErrorFrom } from './terminal-error.js';

const subject = { objectName: 'my-secret', version: 'v1' };
const run = (value: string | Buffer, ...t: ('trim' | 'base64encode' | 'base64decode')[]): Buffer =>
  applyTransforms(Buffer.isBuffer(value) ? value : Buffer.from(value), t, subject);

describe('applyTransforms', () => {
  it('returns the value unchanged without transforms', () => {
    expect(run('  x  ').toString()).toBe('  x  ');
  });

  it('trim removes surrounding whitespace, including newlines', () => {
    expect(run(' \t value\r\n', 'trim').toString()).toBe('value');
  });

  it('trim on binary data removes only ASCII whitespace bytes', () => {
    expect(run(Buffer.from([0x20, 0xff, 0x00, 0x0a]), 'trim')).toEqual(Buffer.from([0xff, 0x00]));
  });

  it('base64encode encodes the bytes (standard alphabet, padded)', () => {
    expect(run('hello?', 'base64encode').toString()).toBe('aGVsbG8/');
    expect(run('a', 'base64encode').toString()).toBe('YQ==');
  });

  it.each([
    ['padded', 'aGVsbG8/', 'hello?'],
    ['unpadded', 'YQ', 'a'],
    ['URL-safe', 'aGVsbG8_', 'hello?'],
    ['with line breaks', 'aGVs\nbG8/\r\n', 'hello?'],
  ])('base64decode accepts %s input', (_name, input, expected) => {
    expect(run(input, 'base64decode').toString()).toBe(expected);
  });

  it('base64decode yields binary data intact', () => {
    const bytes = Buffer.from([0, 255, 128, 10]);
    expect(run(bytes.toString('base64'), 'base64decode')).toEqual(bytes);
  });

  it('applies transforms in the listed order', () => {
    const stored = Buffer.from('  secret \n').toString('base64');
    expect(run(stored, 'base64decode', 'trim').toString()).toBe('secret');
    expect(run(' c2VjcmV0 ', 'trim', 'base64decode').toString()).toBe('secret');
    expect(run('x', 'base64encode', 'base64decode').toString()).toBe('x');
  });

  describe('invalid base64 is a TerminalError that never carries the value', () => {
    it.each([
      ['a plain password', 'pa$$w0rd!hunter2'],
      ['a lone trailing character', 'aGVsbG8/a'],
      ['padding in the middle', 'YQ==YQ=='],
      ['wrong padding length', 'YQ='],
    ])('%s', (_name, value) => {
      const error = terminalErrorFrom(() => run(value, 'trim', 'base64decode'));
      expect(error.code).toBe('TransformFailed');
      expect(error.message).toBe("spec.output.transform[1] (base64decode): the value of Key Vault secret 'my-secret' version v1 is not valid base64");
      expectNoSecretIn(error, value);
    });
  });
});
