import { createHash } from 'node:crypto';
import { dataHash } from '../../../../core/sync/data-hash.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('dataHash', () => {
  it('is 64 hex characters and stable for the same data', () => {
    const h = dataHash({ a: b('1'), b: b('2') });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(dataHash({ a: b('1'), b: b('2') })).toBe(h);
  });

  it('does not depend on key insertion order', () => {
    expect(dataHash({ a: b('1'), b: b('2') })).toBe(dataHash({ b: b('2'), a: b('1') }));
  });

  it.each([
    ['moving a character from value to key', { a: b('bc') }, { ab: b('c') }],
    ['splitting one entry into two', { a: b('bc') }, { a: b(''), bc: b('') }],
    ['a value change', { a: b('x') }, { a: b('y') }],
    ['a key rename', { a: b('x') }, { b: b('x') }],
    ['an extra empty key', { a: b('x') }, { a: b('x'), z: b('') }],
    ['empty vs one empty entry', {}, { '': b('') }],
  ])('differs for %s', (_name, one, other) => {
    expect(dataHash(one)).not.toBe(dataHash(other));
  });

  it('hashes bytes, not strings: binary values count byte for byte', () => {
    expect(dataHash({ k: Buffer.from([0xff, 0x00]) })).not.toBe(dataHash({ k: Buffer.from([0xff, 0x01]) }));
    expect(dataHash({ k: new Uint8Array([1, 2]) })).toBe(dataHash({ k: Buffer.from([1, 2]) }));
  });

  it('is not a plain sha256 of the value (domain-separated), so it matches no other hash of the same bytes', () => {
    expect(dataHash({ k: b('v') })).not.toBe(createHash('sha256').update('v').digest('hex'));
  });

  it('with a hash key: differs from the unkeyed hash and between keys, stable per key', () => {
    const data = { password: b('hunter2') };
    const k1 = Buffer.from('cluster-key-1');
    expect(dataHash(data, k1)).not.toBe(dataHash(data));
    expect(dataHash(data, k1)).not.toBe(dataHash(data, Buffer.from('cluster-key-2')));
    expect(dataHash(data, k1)).toBe(dataHash({ password: b('hunter2') }, Buffer.from('cluster-key-1')));
  });
});
