/**
 * The loopback OCI registry harness: real docker-registry (distribution 2.8) over TLS from a test CA, images built
 * with umoci and pushed with skopeo, in each auth mode, read back over the distribution API with plain HTTP calls.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'undici';
import { pushTestImage } from '../../../scripts/local-stack/oci-image-builder.js';
import { startOciRegistry, type OciRegistry } from '../../../scripts/local-stack/oci-registry.js';

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');

async function get(registry: OciRegistry, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  const dispatcher = new Agent({ connect: { ca: registry.ca.certPem } });
  try {
    const res = await request(url.startsWith('https:') ? url : `${registry.url}${url}`, { headers: { accept: ACCEPT, ...headers }, dispatcher });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, json: text.startsWith('{') ? JSON.parse(text) : text };
  } finally {
    await dispatcher.close();
  }
}

async function imageConfig(registry: OciRegistry, repository: string, reference: string, headers: Record<string, string> = {}): Promise<{ architecture: string; config: { Entrypoint?: string[]; Cmd?: string[]; User?: string; Env?: string[]; WorkingDir?: string } }> {
  const manifest = await get(registry, `/v2/${repository}/manifests/${reference}`, headers);
  expect(manifest.status).toBe(200);
  const digest = (manifest.json as { config: { digest: string } }).config.digest;
  const blob = await get(registry, `/v2/${repository}/blobs/${digest}`, headers);
  expect(blob.status).toBe(200);
  return blob.json as never;
}

const basic = (user: string, password: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('loopback OCI registry without auth', () => {
  let registry: OciRegistry;
  beforeAll(async () => void (registry = await startOciRegistry()));
  afterAll(() => registry?.stop());

  it('serves an image pushed by skopeo with the ENTRYPOINT, CMD and architecture umoci wrote', async () => {
    const pushed = await pushTestImage(registry, 'tools/echo:1.0', { entrypoint: ['/bin/echo', 'hi'], cmd: ['there'], architecture: 'arm64' });
    expect(pushed.reference).toBe(`${registry.host}/tools/echo:1.0`);
    const config = await imageConfig(registry, 'tools/echo', '1.0');
    expect(config.architecture).toBe('arm64');
    expect(config.config.Entrypoint).toEqual(['/bin/echo', 'hi']);
    expect(config.config.Cmd).toEqual(['there']);
    expect((await get(registry, `/v2/tools/echo/manifests/${pushed.digest}`)).status).toBe(200);
  });

  it('puts files into a layer and writes USER, Env and WorkingDir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akvsync-image-files-'));
    writeFileSync(join(dir, 'hello.sh'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    await pushTestImage(registry, 'tools/files:1', { entrypoint: ['/app/hello.sh'], user: '65532:65532', env: ['MODE=test'], workingDir: '/app', files: [{ source: join(dir, 'hello.sh'), target: '/app/hello.sh' }] });
    const manifest = await get(registry, '/v2/tools/files/manifests/1');
    const layers = (manifest.json as { layers: { digest: string; size: number }[] }).layers;
    expect(layers).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
    const dispatcher = new Agent({ connect: { ca: registry.ca.certPem } });
    const layer = await request(`${registry.url}/v2/tools/files/blobs/${layers[0]?.digest ?? ''}`, { dispatcher });
    const tar = gunzipSync(Buffer.from(await layer.body.arrayBuffer())).toString('latin1');
    await dispatcher.close();
    expect(tar).toContain('app/hello.sh');
    expect(tar).toContain('echo hello');
    const config = await imageConfig(registry, 'tools/files', '1');
    expect(config.config).toMatchObject({ User: '65532:65532', WorkingDir: '/app', Entrypoint: ['/app/hello.sh'] });
    expect(config.config.Env).toContain('MODE=test');
  });

  it('pushes a multi-arch index (OCI and Docker manifest list) whose entries carry their platforms', async () => {
    const images = [
      { entrypoint: ['/srv/app'], architecture: 'amd64' },
      { entrypoint: ['/srv/app-arm'], architecture: 'arm64', variant: 'v8' },
    ];
    for (const format of ['oci', 'docker'] as const) {
      await pushTestImage(registry, `multi/${format}:1`, images, { format });
      const index = await get(registry, `/v2/multi/${format}/manifests/1`);
      expect(index.headers['content-type']).toBe(INDEX_TYPES[format === 'oci' ? 0 : 1]);
      const manifests = (index.json as { manifests: { digest: string; platform: { architecture: string; variant?: string } }[] }).manifests;
      expect(manifests.map((m) => m.platform)).toEqual([{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm64', os: 'linux', variant: 'v8' }]);
      const arm = await imageConfig(registry, `multi/${format}`, manifests[1]?.digest ?? '');
      expect(arm.config.Entrypoint).toEqual(['/srv/app-arm']);
    }
  });
});

describe('loopback OCI registry with htpasswd', () => {
  let registry: OciRegistry;
  beforeAll(async () => void (registry = await startOciRegistry({ auth: { kind: 'htpasswd', users: { alice: 's3cret-pw' } } })));
  afterAll(() => registry?.stop());

  it('asks for Basic credentials and serves the image to the right ones only', async () => {
    await pushTestImage(registry, 'private/app:2', { cmd: ['serve'] });
    const anonymous = await get(registry, '/v2/private/app/manifests/2');
    expect(anonymous.status).toBe(401);
    expect(String(anonymous.headers['www-authenticate'])).toMatch(/^Basic realm="akvsync"/);
    expect((await get(registry, '/v2/private/app/manifests/2', basic('alice', 'wrong'))).status).toBe(401);
    expect((await imageConfig(registry, 'private/app', '2', basic('alice', 's3cret-pw'))).config.Cmd).toEqual(['serve']);
  });
});

describe('loopback OCI registry with token auth and the ACR exchange', () => {
  let registry: OciRegistry;
  const entraToken = 'entra-access-token-for-the-agent';
  beforeAll(async () => {
    registry = await startOciRegistry({
      auth: {
        kind: 'token',
        users: { ci: { password: 'push-pw', pull: ['*'], push: true }, reader: { password: 'read-pw', pull: ['private/'] } },
        publicRepositories: ['public/'],
        acceptEntraToken: (token) => (token === entraToken ? ['acr/'] : undefined),
      },
    });
    await pushTestImage(registry, 'public/web:1', { entrypoint: ['/web'] });
    await pushTestImage(registry, 'private/db:1', { entrypoint: ['/db'] });
    await pushTestImage(registry, 'acr/job:1', { entrypoint: ['/job'] });
  });
  afterAll(() => registry?.stop());

  async function tokenFor(scope: string, headers: Record<string, string> = {}): Promise<string> {
    const challenge = await get(registry, `/v2/${scope.split(':')[1]}/manifests/1`);
    expect(challenge.status).toBe(401);
    const header = String(challenge.headers['www-authenticate']);
    const realm = /realm="([^"]+)"/.exec(header)?.[1] ?? '';
    expect(header).toContain(`service="${registry.service}"`);
    const answer = await get(registry, `${realm}?service=${registry.service}&scope=${scope}`, headers);
    expect(answer.status).toBe(200);
    return (answer.json as { token: string }).token;
  }

  it('gives anonymous callers a token for public repositories only', async () => {
    const pub = await tokenFor('repository:public/web:pull');
    expect((await imageConfig(registry, 'public/web', '1', { authorization: `Bearer ${pub}` })).config.Entrypoint).toEqual(['/web']);
    const priv = await tokenFor('repository:private/db:pull');
    expect((await get(registry, '/v2/private/db/manifests/1', { authorization: `Bearer ${priv}` })).status).toBe(401);
  });

  it('gives a user with a pull grant a token for a private repository and refuses a wrong password', async () => {
    const token = await tokenFor('repository:private/db:pull', basic('reader', 'read-pw'));
    expect((await imageConfig(registry, 'private/db', '1', { authorization: `Bearer ${token}` })).config.Entrypoint).toEqual(['/db']);
    const refused = await get(registry, `/oauth2/token?service=${registry.service}&scope=repository:private/db:pull`, basic('reader', 'nope'));
    expect(refused.status).toBe(401);
  });

  it('exchanges an accepted Entra token for a refresh token, then an access token (ACR style)', async () => {
    const dispatcher = new Agent({ connect: { ca: registry.ca.certPem } });
    const post = async (path: string, form: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> => {
      const res = await request(`${registry.url}${path}`, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, dispatcher });
      return { status: res.statusCode, json: (await res.body.json()) as Record<string, string> };
    };
    try {
      expect((await post('/oauth2/exchange', { grant_type: 'access_token', service: registry.service, access_token: 'forged' })).status).toBe(401);
      const exchange = await post('/oauth2/exchange', { grant_type: 'access_token', service: registry.service, access_token: entraToken });
      expect(exchange.status).toBe(200);
      const token = await post('/oauth2/token', { grant_type: 'refresh_token', service: registry.service, scope: 'repository:acr/job:pull', refresh_token: exchange.json.refresh_token ?? '' });
      expect(token.status).toBe(200);
      const bearer = { authorization: `Bearer ${token.json.access_token}` };
      expect((await imageConfig(registry, 'acr/job', '1', bearer)).config.Entrypoint).toEqual(['/job']);
      expect((await get(registry, '/v2/private/db/manifests/1', bearer)).status).toBe(401);
      expect(registry.tokenRequests.get('/oauth2/exchange')).toBe(2);
    } finally {
      await dispatcher.close();
    }
  });
});
