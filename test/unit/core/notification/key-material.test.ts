import { decodeKeyMaterial } from '../../../../core/notification/key-material.js';

describe('decodeKeyMaterial', () => {
  const bytes = Uint8Array.from({ length: 33 }, (_, i) => (i * 37 + 251) % 256);

  it('decodes base64 and base64url to the same bytes, ignoring surrounding white space', () => {
    expect(decodeKeyMaterial(`  ${Buffer.from(bytes).toString('base64')}\n`)).toEqual(bytes);
    expect(decodeKeyMaterial(Buffer.from(bytes).toString('base64url'))).toEqual(bytes);
  });

  it('returns undefined for text that is neither', () => {
    expect(decodeKeyMaterial('not base64!')).toBeUndefined();
    expect(decodeKeyMaterial('abc=def')).toBeUndefined();
  });
});
