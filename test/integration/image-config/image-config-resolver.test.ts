/**
 * Command resolution against real registries on loopback (docker-registry 2.8 with images built by umoci and
 * pushed by skopeo): public and private repositories, pull secrets of the pod and of its ServiceAccount, the
 * Bearer token flow, Basic auth, Azure Container Registry's Entra → refresh token → access token exchange with a
 * real @azure/identity credential from the Key Vault emulator's authority, multi-arch indexes, the mirror
 * rewrite and the digest/tag caches.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Agent, request as undiciRequest } from 'undici';
import { ImageConfigResolver, type ImageCommandRequest } from '../../../cluster-agent/image-config/image-config-resolver.js';
import type { DockerConfig } from '../../../core/images/pull-secret-credentials.js';
import { pushTestImage } from '../../../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';
import { createTestCa } from '../../../scripts/local-stack/tls.js';
import { findLeaks } from '../../support/find-leaks.js';
import { startTrustedEmulator, type TrustedEmulator } from '../kv-emulator/trusted-emulator.js';

const ca = createTestCa('akvsync image-config test registries CA');
const pullSecret = (host: string, username: string, password: string): DockerConfig => ({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } });
const rejection = async (promise: Promise<unknown>): Promise<Error & { code?: string }> => {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
};
const request = (image: string, extra: Partial<ImageCommandRequest> = {}): ImageCommandRequest => ({ image, pod: {}, pullSecrets: [], ...extra });

describe('command resolution against an open registry', () => {
  let registry: OciRegistry;
  let resolver: ImageConfigResolver;
  const digests: Record<string, string> = {};
  beforeAll(async () => {
    registry = await startOciRegistry({ ca });
    resolver = new ImageConfigResolver({ timeoutMs: 30_000, extraCaPem: [ca.certPem], mirrors: [{ registry: 'mirrored.example', mirror: `${registry.host}/mirror` }] });
    digests.single = (await pushTestImage(registry, 'apps/single:1', { entrypoint: ['/usr/bin/app'], cmd: ['--serve'] })).digest;
    await pushTestImage(registry, 'apps/agree:1', [{ entrypoint: ['/app'], cmd: ['run'] }, { entrypoint: ['/app'], cmd: ['run'], architecture: 'arm64', variant: 'v8' }]);
    await pushTestImage(registry, 'apps/differ:1', [{ entrypoint: ['/app-amd64'] }, { entrypoint: ['/app-arm64'], architecture: 'arm64' }]);
    await pushTestImage(registry, 'apps/differ-docker:1', [{ entrypoint: ['/x86'] }, { entrypoint: ['/arm'], architecture: 'arm64' }], { format: 'docker' });
    await pushTestImage(registry, 'mirror/tools/echo:2', { entrypoint: ['/bin/echo'] });
  });
  afterAll(async () => {
    await resolver?.close();
    await registry?.stop();
  });

  it('reads ENTRYPOINT/CMD of a single-platform image by tag and by digest', async () => {
    expect(await resolver.resolve(request(`${registry.host}/apps/single:1`))).toEqual({ entrypoint: ['/usr/bin/app'], cmd: ['--serve'], digest: digests.single });
    expect(await resolver.resolve(request(`${registry.host}/apps/single@${digests.single}`))).toMatchObject({ entrypoint: ['/usr/bin/app'] });
  });

  it('takes the platform from the nodeSelector or required node affinity', async () => {
    const image = `${registry.host}/apps/differ:1`;
    expect((await resolver.resolve(request(image, { pod: { nodeSelector: { 'kubernetes.io/arch': 'arm64' } } }))).entrypoint).toEqual(['/app-arm64']);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }] } } };
    expect((await resolver.resolve(request(image, { pod: { affinity } }))).entrypoint).toEqual(['/app-amd64']);
    expect((await resolver.resolve(request(`${registry.host}/apps/differ-docker:1`, { pod: { nodeSelector: { 'kubernetes.io/arch': 'arm64' } } }))).entrypoint).toEqual(['/arm']);
  });

  it('accepts an unconstrained pod when all platforms agree, and names image and remedy when they do not', async () => {
    expect(await resolver.resolve(request(`${registry.host}/apps/agree:1`))).toMatchObject({ entrypoint: ['/app'], cmd: ['run'] });
    const error = await rejection(resolver.resolve(request(`${registry.host}/apps/differ:1`)));
    expect(error.code).toBe('ImagePlatformAmbiguous');
    expect(error.message).toContain(`image '${registry.host}/apps/differ:1': its platforms linux/amd64 and linux/arm64 have different ENTRYPOINT/CMD`);
    const missing = await rejection(resolver.resolve(request(`${registry.host}/apps/differ:1`, { pod: { nodeSelector: { 'kubernetes.io/arch': 's390x' } } })));
    expect(missing.code).toBe('ImagePlatformMissing');
  });

  it('looks images of a mirrored registry up on the mirror', async () => {
    expect((await resolver.resolve(request('mirrored.example/tools/echo:2'))).entrypoint).toEqual(['/bin/echo']);
  });

  it('answers a missing image or tag with a clear terminal error', async () => {
    const error = await rejection(resolver.resolve(request(`${registry.host}/apps/single:nope`)));
    expect([error.code, error.message]).toEqual(['ImageNotFound', `image '${registry.host}/apps/single:nope': the registry has no such manifest (404)`]);
  });
});

describe('command resolution with credentials', () => {
  let tokenRegistry: OciRegistry;
  let basicRegistry: OciRegistry;
  let acrRegistry: OciRegistry;
  let kv: TrustedEmulator;
  let resolver: ImageConfigResolver;
  const secrets = { reader: 'reader-password-1f9c', pusher: 'pusher-password-77aa', basic: 'basic-password-c0de' };

  beforeAll(async () => {
    kv = await startTrustedEmulator();
    const jwks = createRemoteJWKSet(new URL(`${kv.emulator.authorityHost}/${kv.emulator.tenantId}/discovery/v2.0/keys`));
    const acceptEntraToken = async (token: string): Promise<readonly string[] | undefined> => {
      try {
        const { payload } = await jwtVerify(token, jwks, { audience: 'https://containerregistry.azure.net' });
        return payload.appid === kv.emulator.clientId ? ['team/'] : undefined;
      } catch {
        return undefined;
      }
    };
    const users = { pusher: { password: secrets.pusher, pull: ['*'], push: true }, reader: { password: secrets.reader, pull: ['private/'] } };
    [tokenRegistry, basicRegistry, acrRegistry] = await Promise.all([
      startOciRegistry({ ca, auth: { kind: 'token', users, publicRepositories: ['public/'] } }),
      startOciRegistry({ ca, auth: { kind: 'htpasswd', users: { alice: secrets.basic } } }),
      startOciRegistry({ ca, auth: { kind: 'token', users: { pusher: users.pusher }, acceptEntraToken } }),
    ]);
    await Promise.all([
      pushTestImage(tokenRegistry, 'public/web:1', { entrypoint: ['/web'] }),
      pushTestImage(tokenRegistry, 'private/db:1', { entrypoint: ['/db'], cmd: ['--data', '/var/db'] }),
      pushTestImage(basicRegistry, 'private/basic:1', { cmd: ['basic'] }),
      pushTestImage(acrRegistry, 'team/job:1', { entrypoint: ['/job'] }),
      pushTestImage(acrRegistry, 'team/job:2', { entrypoint: ['/job2'] }),
    ]);
    resolver = new ImageConfigResolver({
      timeoutMs: 30_000, // generous: a loaded CI machine; deadlines are tested in hostile-registry.test.ts
      extraCaPem: [ca.certPem],
      acrHosts: [acrRegistry.host],
      entraToken: async () => (await kv.credential.getToken('https://containerregistry.azure.net/.default')).token,
    });
  });
  afterAll(async () => {
    await resolver?.close();
    await Promise.all([tokenRegistry?.stop(), basicRegistry?.stop(), acrRegistry?.stop(), kv?.emulator.close()]);
  });

  it('follows the Bearer challenge anonymously for a public repository', async () => {
    expect((await resolver.resolve(request(`${tokenRegistry.host}/public/web:1`))).entrypoint).toEqual(['/web']);
  });

  it("uses the pod's imagePullSecret, or its ServiceAccount's when the pod's is refused", async () => {
    const image = `${tokenRegistry.host}/private/db:1`;
    expect(await resolver.resolve(request(image, { pullSecrets: [pullSecret(tokenRegistry.host, 'reader', secrets.reader)] }))).toMatchObject({ entrypoint: ['/db'], cmd: ['--data', '/var/db'] });
    const wrongThenRight = [pullSecret(tokenRegistry.host, 'reader', 'wrong-password'), pullSecret(tokenRegistry.host, 'pusher', secrets.pusher)];
    expect((await resolver.resolve(request(image, { pullSecrets: wrongThenRight }))).entrypoint).toEqual(['/db']);
  });

  it('refuses a private image without a working secret, naming image and attempts but no credential', async () => {
    const image = `${tokenRegistry.host}/private/db:1`;
    const error = await rejection(resolver.resolve(request(image, { pullSecrets: [pullSecret(tokenRegistry.host, 'reader', 'not-the-password-9d1e')] })));
    expect(error.code).toBe('ImageUnauthorized');
    expect(error.message).toContain(`image '${image}': the registry refused access to the manifest`);
    expect(error.message).toContain(`pull secret #1 entry '${tokenRegistry.host}': the token service answered 401`);
    expect(error.message).toContain('anonymous: the registry answered 401');
    const anonymous = await rejection(resolver.resolve(request(image)));
    expect(anonymous.code).toBe('ImageUnauthorized');
    const texts = [error, anonymous].flatMap((e) => [e.message, String(e.stack), JSON.stringify(e)]);
    expect(findLeaks([...Object.values(secrets), 'not-the-password-9d1e', 'wrong-password'], { errors: texts })).toEqual([]);
  });

  it('answers a Basic challenge with the pull secret', async () => {
    const image = `${basicRegistry.host}/private/basic:1`;
    expect((await resolver.resolve(request(image, { pullSecrets: [pullSecret(basicRegistry.host, 'alice', secrets.basic)] }))).cmd).toEqual(['basic']);
    expect((await rejection(resolver.resolve(request(image)))).code).toBe('ImageUnauthorized');
  });

  it("reads from ACR through the agent's workload identity: Entra token → /oauth2/exchange → /oauth2/token", async () => {
    expect((await resolver.resolve(request(`${acrRegistry.host}/team/job:1`))).entrypoint).toEqual(['/job']);
    expect(acrRegistry.tokenRequests.get('/oauth2/exchange')).toBe(1);
    // The ACR refresh token is reused for the next image; a new access token is asked for its scope.
    expect((await resolver.resolve(request(`${acrRegistry.host}/team/job:2`))).entrypoint).toEqual(['/job2']);
    expect(acrRegistry.tokenRequests.get('/oauth2/exchange')).toBe(1);
  });

  it("uses a pull secret's identitytoken as the registry refresh token (what `az acr login --expose-token` gives)", async () => {
    const entra = (await kv.credential.getToken('https://containerregistry.azure.net/.default')).token;
    const dispatcher = new Agent({ connect: { ca: ca.certPem } });
    const exchange = await undiciRequest(`${acrRegistry.url}/oauth2/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'access_token', service: acrRegistry.service, access_token: entra }).toString(),
      dispatcher,
    });
    const { refresh_token: identitytoken } = (await exchange.body.json()) as { refresh_token: string };
    await dispatcher.close();
    const withoutIdentity = new ImageConfigResolver({ timeoutMs: 30_000, extraCaPem: [ca.certPem] });
    try {
      const image = `${acrRegistry.host}/team/job:1`;
      expect((await withoutIdentity.resolve(request(image, { pullSecrets: [{ auths: { [acrRegistry.host]: { identitytoken } } }] }))).entrypoint).toEqual(['/job']);
      const refused = await rejection(withoutIdentity.resolve(request(image, { pullSecrets: [{ auths: { [acrRegistry.host]: { identitytoken: 'not-a-refresh-token' } } }] })));
      expect(refused.message).toContain(`pull secret #1 entry '${acrRegistry.host}': the token service answered 401`);
      expect(findLeaks([identitytoken, 'not-a-refresh-token'], { error: [refused.message, String(refused.stack)] })).toEqual([]);
    } finally {
      await withoutIdentity.close();
    }
  });

  it('serves a repeat from the cache, but never across different credentials', async () => {
    const image = `${tokenRegistry.host}/private/db:1`;
    const withReader = request(image, { pullSecrets: [pullSecret(tokenRegistry.host, 'reader', secrets.reader)] });
    await resolver.resolve(withReader);
    const before = tokenRegistry.tokenRequests.get('/v2') ?? 0;
    expect((await resolver.resolve(withReader)).entrypoint).toEqual(['/db']);
    expect(tokenRegistry.tokenRequests.get('/v2') ?? 0).toBe(before);
    expect((await rejection(resolver.resolve(request(image)))).code).toBe('ImageUnauthorized');
    expect(tokenRegistry.tokenRequests.get('/v2') ?? 0).toBeGreaterThan(before);
  });

  it('shares one look-up among concurrent requests, and asks again for a tag once its TTL has passed', async () => {
    let now = 1_000_000;
    const fresh = new ImageConfigResolver({ timeoutMs: 30_000, extraCaPem: [ca.certPem], clock: { now: () => now }, tagCacheTtlMs: 60_000 });
    try {
      const image = `${tokenRegistry.host}/public/web:1`;
      const v2 = (): number => tokenRegistry.tokenRequests.get('/v2') ?? 0;
      const before = v2();
      const results = await Promise.all(Array.from({ length: 20 }, () => fresh.resolve(request(image))));
      expect(new Set(results.map((r) => r.digest)).size).toBe(1);
      expect(v2() - before).toBe(3); // manifest (401), manifest with the token, config blob
      await fresh.resolve(request(image));
      expect(v2() - before).toBe(3);
      now += 60_001;
      expect((await fresh.resolve(request(image))).entrypoint).toEqual(['/web']);
      expect(v2() - before).toBe(5); // the tag again (401, then with the cached token); the config came from the digest cache
    } finally {
      await fresh.close();
    }
  });
});
