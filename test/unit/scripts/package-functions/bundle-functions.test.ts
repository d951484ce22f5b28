import { sourceEntryOf } from '../../../../scripts/package-functions/bundle-functions.js';

describe('sourceEntryOf', () => {
  it('maps package.json main (tsc output) to the TypeScript entry', () => {
    expect(sourceEntryOf('dist/functions/index.js')).toBe('functions/index.ts');
  });

  it('refuses a main it cannot map, naming it', () => {
    expect(() => sourceEntryOf('functions/index.js')).toThrow(/package.json main "functions\/index.js" is not dist\/<path>.js/);
  });
});
