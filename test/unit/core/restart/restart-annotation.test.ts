import { RESTART_ANNOTATION_PREFIX } from '../../../../core/crd/annotations.js';
import { restartAnnotationKey } from '../../../../core/restart/restart-annotation.js';

/** Kubernetes' rule for a qualified annotation key's name part. */
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const namePartOf = (key: string): string => key.slice(RESTART_ANNOTATION_PREFIX.length);

describe('restartAnnotationKey', () => {
  it('names the source object readably when it fits', () => {
    expect(restartAnnotationKey('Secret', 'db-creds')).toBe('restart.akvsync.io/secret-db-creds');
    expect(restartAnnotationKey('ConfigMap', 'db-creds')).toBe('restart.akvsync.io/configmap-db-creds');
  });

  it('is deterministic', () => {
    expect(restartAnnotationKey('Secret', 'x'.repeat(200))).toBe(restartAnnotationKey('Secret', 'x'.repeat(200)));
  });

  it.each([
    ['exactly 63', 'a'.repeat(63 - 'secret-'.length)],
    ['64', 'a'.repeat(64 - 'secret-'.length)],
    ['253 with dots and dashes', `${'a.b-'.repeat(62)}abcde`],
    ['cut at a dot', `${'a'.repeat(49)}.${'b'.repeat(100)}`],
  ])('stays a valid annotation key for a %s-character name', (_name, name) => {
    const namePart = namePartOf(restartAnnotationKey('Secret', name));
    expect(namePart.length).toBeLessThanOrEqual(63);
    expect(namePart).toMatch(NAME_PART);
  });

  it('keeps long names that share a prefix apart', () => {
    const base = 'x'.repeat(80);
    expect(restartAnnotationKey('Secret', `${base}-one`)).not.toBe(restartAnnotationKey('Secret', `${base}-two`));
    expect(restartAnnotationKey('Secret', `${base}-one`)).not.toBe(restartAnnotationKey('ConfigMap', `${base}-one`));
  });
});
