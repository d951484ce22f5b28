import { crNameOfFieldManager, fieldManagerFor, isAkvsyncFieldManager, sourceLabel, syncedVersionAnnotation } from '../../../../core/crd/output-metadata.js';

/** Kubernetes' qualified-name rule for the name part of an annotation or label key. */
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

describe('per-CR output metadata', () => {
  const long = `${'a'.repeat(200)}.b-c`;
  const longToo = `${'a'.repeat(200)}.b-d`;

  it('gives each CR its own field manager, at most 128 characters, distinct for long names', () => {
    expect(fieldManagerFor('db-password')).toBe('akvsync/db-password');
    expect(fieldManagerFor(long).length).toBeLessThanOrEqual(128);
    expect(fieldManagerFor(long)).not.toBe(fieldManagerFor(longToo));
    expect(isAkvsyncFieldManager(fieldManagerFor(long))).toBe(true);
    expect(isAkvsyncFieldManager('akvsync')).toBe(false);
    expect(isAkvsyncFieldManager('kubectl-edit')).toBe(false);
    expect(crNameOfFieldManager(fieldManagerFor('db-password'))).toBe('db-password');
  });

  it('gives each CR a valid synced-version annotation key, distinct for long names', () => {
    expect(syncedVersionAnnotation('db-password')).toBe('synced-version.akvsync.io/db-password');
    for (const name of [long, longToo, 'x']) {
      const namePart = syncedVersionAnnotation(name).split('/')[1] ?? '';
      expect(namePart.length).toBeLessThanOrEqual(63);
      expect(namePart).toMatch(NAME_PART);
    }
    expect(syncedVersionAnnotation(long)).not.toBe(syncedVersionAnnotation(longToo));
  });

  it('names the source label by the vault object digest', () => {
    const digest = 'a'.repeat(40);
    expect(sourceLabel(digest)).toBe(`source.akvsync.io/${digest}`);
    expect(sourceLabel(digest).split('/')[1]).toMatch(NAME_PART);
  });
});
