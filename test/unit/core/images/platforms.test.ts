import { podPlatformConstraint } from '../../../../core/images/pod-platform.js';
import { agreedCommand, selectPlatforms, type IndexEntry } from '../../../../core/images/select-platforms.js';

const term = (...exprs: { key: string; operator: string; values?: string[] }[]) => ({ matchExpressions: exprs });
const affinity = (...terms: ReturnType<typeof term>[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });

describe('podPlatformConstraint', () => {
  it('is open when the pod says nothing', () => {
    expect(podPlatformConstraint({})).toEqual({ architectures: undefined, operatingSystems: undefined });
  });
  it('reads the nodeSelector (current and beta keys)', () => {
    expect(podPlatformConstraint({ nodeSelector: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' } })).toEqual({ architectures: ['arm64'], operatingSystems: ['linux'] });
    expect(podPlatformConstraint({ nodeSelector: { 'beta.kubernetes.io/arch': 'amd64' } }).architectures).toEqual(['amd64']);
  });
  it('unions ORed affinity terms, intersects ANDed expressions and the nodeSelector', () => {
    const spec = { affinity: affinity(term({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }), term({ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64', 'ppc64le'] })) };
    expect(podPlatformConstraint(spec).architectures).toEqual(['amd64', 'arm64', 'ppc64le']);
    expect(podPlatformConstraint({ ...spec, nodeSelector: { 'kubernetes.io/arch': 'arm64' } }).architectures).toEqual(['arm64']);
    const anded = affinity(term({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }, { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }));
    expect(podPlatformConstraint({ affinity: anded }).architectures).toEqual(['arm64']);
  });
  it('treats a term without an arch `In` (or other operators) as open', () => {
    const spec = { affinity: affinity(term({ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }), term({ key: 'zone', operator: 'In', values: ['a'] })) };
    expect(podPlatformConstraint(spec).architectures).toBeUndefined();
    expect(podPlatformConstraint({ affinity: affinity(term({ key: 'kubernetes.io/arch', operator: 'NotIn', values: ['s390x'] })) }).architectures).toBeUndefined();
  });
});

const entry = (architecture: string, os = 'linux', variant?: string): IndexEntry => ({
  digest: `sha256:${architecture.padEnd(64, '0').slice(0, 64)}`,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platform: variant ? { architecture, os, variant } : { architecture, os },
});

describe('selectPlatforms', () => {
  const entries = [entry('amd64'), entry('arm64', 'linux', 'v8'), entry('amd64', 'windows'), entry('unknown', 'unknown'), { digest: 'sha256:x', mediaType: '', platform: undefined }];
  it('keeps linux images of the allowed architectures, skipping attestations', () => {
    expect(selectPlatforms('img', entries, { architectures: undefined, operatingSystems: undefined }).map((e) => e.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect(selectPlatforms('img', entries, { architectures: ['arm64'], operatingSystems: undefined }).map((e) => e.platform?.architecture)).toEqual(['arm64']);
    expect(selectPlatforms('img', entries, { architectures: ['amd64'], operatingSystems: ['windows'] }).map((e) => e.platform?.os)).toEqual(['windows']);
  });
  it('names the image, the wanted platform and what the index offers when nothing matches', () => {
    expect(() => selectPlatforms('reg/app:1', entries, { architectures: ['s390x'], operatingSystems: undefined })).toThrow(
      "image 'reg/app:1': no entry of its index matches the pod's platform linux/s390x (index offers: linux/amd64, linux/arm64, windows/amd64, unknown/unknown)",
    );
  });
});

describe('agreedCommand', () => {
  const amd = { architecture: 'amd64', os: 'linux' };
  const arm = { architecture: 'arm64', os: 'linux', variant: 'v8' };
  it('returns the shared command', () => {
    const command = { entrypoint: ['/app'], cmd: ['serve'] };
    expect(agreedCommand('img', [{ platform: amd, command }, { platform: arm, command: { entrypoint: ['/app'], cmd: ['serve'] } }])).toEqual(command);
  });
  it('refuses platforms that disagree, telling the user how to choose', () => {
    expect(() => agreedCommand('reg/app:1', [{ platform: amd, command: { entrypoint: ['/a'], cmd: [] } }, { platform: arm, command: { entrypoint: ['/b'], cmd: [] } }])).toThrow(
      /image 'reg\/app:1': its platforms linux\/amd64 and linux\/arm64\/v8 have different ENTRYPOINT\/CMD; set a kubernetes.io\/arch nodeSelector/,
    );
    expect(() => agreedCommand('img', [{ platform: amd, command: { entrypoint: ['/a'], cmd: ['x'] } }, { platform: arm, command: { entrypoint: ['/a'], cmd: [] } }])).toThrow(/ImagePlatformAmbiguous|different/);
  });
});

describe('podPlatformConstraint on malformed pods', () => {
  it.each([
    [{ nodeSelector: 'arm64' }],
    [{ nodeSelector: { 'kubernetes.io/arch': 7 } }],
    [{ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: 'x' } } } }],
    [{ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [null, { matchExpressions: [null, { key: 1 }] }] } } } }],
  ])('treats %j as unconstrained', (spec) => {
    expect(podPlatformConstraint(spec).architectures).toBeUndefined();
  });
});
