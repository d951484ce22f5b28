import { toConfigMapData } from '../../../../core/sync/config-map-data.js';

describe('toConfigMapData', () => {
  it('puts UTF-8 values in data as strings and other bytes in binaryData as base64', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00]);
    expect(toConfigMapData({ text: Buffer.from('héllo'), empty: Buffer.alloc(0), bin: binary })).toEqual({
      data: { text: 'héllo', empty: '' },
      binaryData: { bin: binary.toString('base64') },
    });
  });

  it('reads a Uint8Array view at its offset', () => {
    const backing = Buffer.from('xxabcxx');
    expect(toConfigMapData({ k: new Uint8Array(backing.buffer, backing.byteOffset + 2, 3) }).data).toEqual({ k: 'abc' });
  });
});
