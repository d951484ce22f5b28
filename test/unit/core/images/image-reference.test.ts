import { formatImageReference, parseImageReference, registryApiHost } from '../../../../core/images/image-reference.js';
import { applyRegistryMirror, validateRegistryMirrors } from '../../../../core/images/registry-mirrors.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
    ['index.docker.io/library/busybox', 'docker.io', 'library/busybox', 'latest', undefined],
    ['myacr.azurecr.io/team/app:v2', 'myacr.azurecr.io', 'team/app', 'v2', undefined],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['127.0.0.1:5000/a/b/c:tag-1', '127.0.0.1:5000', 'a/b/c', 'tag-1', undefined],
    [`ghcr.io/o/app@${D}`, 'ghcr.io', 'o/app', undefined, D],
    [`ghcr.io/o/app:1@${D}`, 'ghcr.io', 'o/app', '1', D],
  ])('%s', (image, registry, repository, tag, digest) => {
    expect(parseImageReference(image)).toEqual({ registry, repository, tag, digest });
  });

  it.each(['', 'Nginx', 'app:bad tag', 'app@sha256:short', 'a//b', 'host.io/UPPER/x', 'app:-x', `x@md5:${'a'.repeat(32)}`])('rejects %p with a message naming it', (image) => {
    expect(() => parseImageReference(image)).toThrow(/InvalidImageReference|image '/);
  });

  it('formats canonically and knows Docker Hub has its own API host', () => {
    const ref = parseImageReference('nginx:1');
    expect(formatImageReference(ref)).toBe('docker.io/library/nginx:1');
    expect(registryApiHost(ref)).toBe('registry-1.docker.io');
    expect(registryApiHost(parseImageReference('x.io/a'))).toBe('x.io');
  });
});

describe('applyRegistryMirror', () => {
  const mirrors = validateRegistryMirrors([
    { registry: 'docker.io', mirror: 'mirror.corp.example/dockerhub' },
    { registry: 'ghcr.io', mirror: '127.0.0.1:5000' },
  ]);
  it('rewrites the host and prefixes the mirror path', () => {
    expect(applyRegistryMirror(parseImageReference('nginx:1'), mirrors)).toMatchObject({ registry: 'mirror.corp.example', repository: 'dockerhub/library/nginx', tag: '1' });
    expect(applyRegistryMirror(parseImageReference(`ghcr.io/o/a@${D}`), mirrors)).toMatchObject({ registry: '127.0.0.1:5000', repository: 'o/a', digest: D });
  });
  it('leaves other registries alone', () => {
    const ref = parseImageReference('quay.io/x/y');
    expect(applyRegistryMirror(ref, mirrors)).toBe(ref);
  });
  it('rejects malformed settings', () => {
    expect(() => validateRegistryMirrors([{ registry: 'a/b', mirror: 'm' }])).toThrow(/not a registry host/);
    expect(() => validateRegistryMirrors([{ registry: 'a', mirror: 'm/ x' }])).toThrow(/host\[:port\]/);
  });
});
