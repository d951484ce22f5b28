import { parseImageConfig, parseManifestDocument } from '../../../../core/images/registry-documents.js';

const D = `sha256:${'b'.repeat(64)}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

describe('parseManifestDocument', () => {
  it('reads an image manifest (OCI or Docker) by its config digest', () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D, size: 12 }, layers: [] });
    expect(parseManifestDocument('img', OCI_MANIFEST, body)).toEqual({ kind: 'manifest', configDigest: D, configSize: 12 });
    const docker = JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D, size: 3 } });
    expect(parseManifestDocument('img', 'application/vnd.docker.distribution.manifest.v2+json; charset=utf-8', docker)).toMatchObject({ kind: 'manifest' });
  });
  it('reads an index with platforms', () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: D, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }, { digest: D }] });
    expect(parseManifestDocument('img', 'application/octet-stream', body)).toEqual({
      kind: 'index',
      entries: [{ digest: D, mediaType: OCI_MANIFEST, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }, { digest: D, mediaType: '', platform: undefined }],
    });
  });
  it.each([
    ['not JSON', OCI_MANIFEST, '<html>', /is not JSON/],
    ['schema 1', 'application/vnd.docker.distribution.manifest.v1+prettyjws', '{"schemaVersion":1}', /not an image manifest or index/],
    ['a mismatched body type', OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }), /says media type/],
    ['an artifact', OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: D } }), /is this an artifact/],
    ['no config digest', OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, config: { digest: '../../etc' } }), /no valid config digest/],
    ['a bad index entry', OCI_INDEX, JSON.stringify({ schemaVersion: 2, manifests: [{ digest: 'x' }] }), /no valid digest/],
  ])('refuses %s naming the image', (_what, type, body, message) => {
    expect(() => parseManifestDocument('reg/app:1', type, body)).toThrow(message);
    expect(() => parseManifestDocument('reg/app:1', type, body)).toThrow(/^image 'reg\/app:1': /);
  });
});

describe('parseImageConfig', () => {
  it('reads ENTRYPOINT, CMD (null as empty) and platform', () => {
    expect(parseImageConfig('img', JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/e'], Cmd: null } }))).toEqual({
      command: { entrypoint: ['/e'], cmd: [] },
      platform: { architecture: 'amd64', os: 'linux' },
    });
    expect(parseImageConfig('img', '{}').command).toEqual({ entrypoint: [], cmd: [] });
  });
  it('refuses a non-string command', () => {
    expect(() => parseImageConfig('img', JSON.stringify({ config: { Cmd: 'sh -c x' } }))).toThrow("image 'img': the image config's Cmd is not a list of strings");
  });
});
