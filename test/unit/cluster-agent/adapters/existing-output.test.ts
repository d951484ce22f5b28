import { existingOutput } from '../../../../cluster-agent/adapters/existing-output.js';
import { dataHash } from '../../../../core/sync/data-hash.js';

const hashKey = new Uint8Array(32).fill(3);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('existingOutput', () => {
  it('reads managers and keys named like Object.prototype members as plain names', () => {
    const out = existingOutput({ kind: 'Secret', namespace: 'ns', name: 's' }, hashKey, {
      metadata: {
        name: 's',
        managedFields: [
          { manager: '__proto__', operation: 'Apply', fieldsV1: { 'f:data': { 'f:__proto__': {}, 'f:toString': {} } } },
          { manager: 'akvsync/a', operation: 'Apply', fieldsV1: { 'f:data': { 'f:constructor': {} } } },
        ],
      },
      data: { ['__proto__']: b64('p'), toString: b64('t'), constructor: b64('c') },
    });
    expect(Object.getPrototypeOf(out.dataKeysByManager)).toBe(Object.prototype);
    expect(Object.hasOwn(out.dataKeysByManager, '__proto__')).toBe(true);
    expect(out.dataKeysByManager['__proto__']).toEqual(['__proto__', 'toString']);
    expect(out.dataKeysByManager['akvsync/a']).toEqual(['constructor']);
    expect(Object.hasOwn(out.dataKeysByManager, 'toString')).toBe(false);
  });

  it('computes the hash after a write with such keys as data', () => {
    const out = existingOutput({ kind: 'Secret', namespace: 'ns', name: 's' }, hashKey, { metadata: { name: 's' }, data: JSON.parse(`{"__proto__":"${b64('old')}","keep":"${b64('k')}"}`) as Record<string, string> });
    const expected = dataHash(Object.fromEntries([['__proto__', Buffer.from('new')], ['keep', Buffer.from('k')]]), hashKey);
    expect(out.dataHashAfter(['__proto__'], Object.fromEntries([['__proto__', Buffer.from('new')]]))).toBe(expected);
  });
});
