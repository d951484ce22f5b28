/**
 * Command resolution against a hostile registry (a loopback HTTPS server of this test): oversize or trickling
 * answers, wrong media types, redirect loops, silence, digests that do not match, server errors, credentials
 * echoed back. Every case ends in an error that names the image and the reason, within the resolver's deadline,
 * and no error carries a credential.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ImageConfigResolver } from '../../../cluster-agent/image-config/image-config-resolver.js';
import { createTestCa, issueLoopbackServerCert } from '../../../scripts/local-stack/tls.js';
import { findLeaks } from '../../support/find-leaks.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const ca = createTestCa('akvsync hostile registry CA');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha = (body: string): string => `sha256:${createHash('sha256').update(body).digest('hex')}`;
const configBody = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/ok'] } });
const manifestFor = (config: string, configMediaType = 'application/vnd.oci.image.config.v1+json'): string =>
  JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: configMediaType, digest: sha(config), size: config.length }, layers: [] });

async function listen(handler: () => Handler): Promise<{ server: Server; host: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer(toTls(issueLoopbackServerCert(ca)), (req, res) => {
    seen.push(req);
    handler()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, host: `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, seen };
}
const toTls = (pair: { certPem: string; keyPem: string }) => ({ cert: pair.certPem, key: pair.keyPem });

const rejection = async (promise: Promise<unknown>): Promise<Error & { code?: string; kind?: string }> => {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; kind?: string };
  }
  throw new Error('expected a rejection');
};

describe('a hostile registry', () => {
  let handler: Handler = (_req, res) => res.writeHead(404).end();
  let main: Awaited<ReturnType<typeof listen>>;
  let other: Awaited<ReturnType<typeof listen>>;
  let otherHandler: Handler = (_req, res) => res.writeHead(404).end();
  let resolver: ImageConfigResolver;
  /** A short deadline for the cases that must end in a timeout (the others get a deadline a loaded CI machine meets). */
  let impatient: ImageConfigResolver;
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    main = await listen(() => (req, res) => (open.add(res), handler(req, res)));
    other = await listen(() => (req, res) => otherHandler(req, res));
    const limits = { extraCaPem: [ca.certPem], maxManifestBytes: 16 << 10, maxConfigBytes: 16 << 10, maxRedirects: 3, tagCacheTtlMs: 0, digestCacheTtlMs: 0 };
    resolver = new ImageConfigResolver({ ...limits, timeoutMs: 30_000 });
    impatient = new ImageConfigResolver({ ...limits, timeoutMs: 1500 });
  });
  afterEach(() => {
    for (const res of open) res.destroy();
    open.clear();
    main.seen.length = 0;
    other.seen.length = 0;
  });
  afterAll(async () => {
    await resolver?.close();
    await impatient?.close();
    for (const s of [main?.server, other?.server]) {
      s?.closeAllConnections();
      await new Promise((resolve) => s?.close(resolve));
    }
  });

  const image = (name: string): string => `${main.host}/hostile/${name}:1`;
  const serveManifest = (body: string, type = OCI_MANIFEST, extra: Record<string, string> = {}): Handler => (req, res) => {
    if (req.url?.includes('/manifests/')) res.writeHead(200, { 'content-type': type, ...extra }).end(body);
    else if (req.url?.includes('/blobs/')) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(configBody);
    else res.writeHead(404).end();
  };

  it('a sane answer works (the harness itself is fine)', async () => {
    handler = serveManifest(manifestFor(configBody));
    expect((await resolver.resolve({ image: image('sane'), pod: {}, pullSecrets: [] })).entrypoint).toEqual(['/ok']);
  });

  it.each([
    ['an oversize manifest with Content-Length', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(5 << 20) }).write('{'), 'ImageRegistryTooLarge', 'manifest is larger than the 16384-byte limit'],
    ['an oversize chunked manifest', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'content-type': OCI_MANIFEST }).end('x'.repeat(64 << 10)), 'ImageRegistryTooLarge', 'manifest is larger than'],
    ['an HTML page', serveManifest('<html>login</html>', 'text/html'), 'ImageManifestInvalid', "the registry's manifest is not JSON"],
    ['a Docker schema 1 manifest', serveManifest('{"schemaVersion":1,"name":"x"}', 'application/vnd.docker.distribution.manifest.v1+prettyjws'), 'ImageManifestInvalid', 'not an image manifest or index'],
    ['an artifact (Helm chart)', serveManifest(manifestFor(configBody, 'application/vnd.cncf.helm.config.v1+json')), 'ImageManifestInvalid', 'is this an artifact'],
    ['a redirect loop', (req: IncomingMessage, res: ServerResponse) => res.writeHead(302, { location: req.url ?? '/' }).end(), 'ImageRegistryRedirects', 'more than 3 redirects'],
    ['a redirect to plain http', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(307, { location: 'http://127.0.0.1:9/v2/' }).end(), 'ImageRegistryInsecure', 'is not https'],
    ['a 503', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(503).end(), 'ImageRegistryUnavailable', 'the registry answered 503 for the manifest'],
    ['an oversize config', (req: IncomingMessage, res: ServerResponse) => {
      const big = JSON.stringify({ config: { Entrypoint: ['/x'] }, history: 'h'.repeat(32 << 10) });
      if (req.url?.includes('/manifests/')) res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(manifestFor(big));
      else res.writeHead(200).end(big);
    }, 'ImageRegistryTooLarge', 'image config is larger than the 16384-byte limit'],
    ['a config that does not match its digest', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.includes('/manifests/')) res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(manifestFor(configBody));
      else res.writeHead(200).end(JSON.stringify({ config: { Entrypoint: ['/evil'] } }));
    }, 'ImageDigestMismatch', 'does not match its digest'],
  ])('%s → a clear error naming the image', async (what, serve, code, reason) => {
    handler = serve as Handler;
    const name = what.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/^-|-$/g, '');
    const error = await rejection(resolver.resolve({ image: image(name), pod: {}, pullSecrets: [] }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(`image '${image(name)}': `);
    expect(error.message).toContain(reason);
  });

  it.each([
    ['silence', (() => undefined) as Handler, 'the manifest request'],
    ['a trickle', ((_req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST }).write(' ');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    }) as Handler, 'the manifest request'],
    ['a silent token service', ((req, res) => {
      if (req.url?.startsWith('/token')) return; // never answers
      res.writeHead(401, { 'www-authenticate': `Bearer realm="https://${main.host}/token",service="s"` }).end();
    }) as Handler, 'the token request'],
  ])('%s → a timeout error naming the image, never a hang', async (what, serve, request) => {
    handler = serve;
    const name = what.replace(/[^a-z0-9]+/gi, '-');
    const error = await rejection(impatient.resolve({ image: image(name), pod: {}, pullSecrets: [] }));
    expect([error.code, error.kind]).toEqual(['ImageRegistryTimeout', 'transient']);
    expect(error.message).toBe(`image '${image(name)}': the registry did not answer ${request} within 1500 ms`);
  });

  it('refuses a manifest that does not match the digest it was asked by', async () => {
    handler = serveManifest(manifestFor(configBody));
    const wanted = `sha256:${'c'.repeat(64)}`;
    const error = await rejection(resolver.resolve({ image: `${main.host}/hostile/pinned@${wanted}`, pod: {}, pullSecrets: [] }));
    expect([error.code, error.message]).toEqual(['ImageDigestMismatch', `image '${main.host}/hostile/pinned@${wanted}': the manifest the registry served does not match digest ${wanted}`]);
  });

  it('refuses a nested index', async () => {
    const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
    const inner = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    const outer = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_INDEX, digest: sha(inner), platform: { architecture: 'amd64', os: 'linux' } }] });
    handler = (req, res) => res.writeHead(200, { 'content-type': OCI_INDEX }).end(req.url?.endsWith(sha(inner)) ? inner : outer);
    const error = await rejection(resolver.resolve({ image: image('nested'), pod: {}, pullSecrets: [] }));
    expect([error.code, error.message]).toEqual(['ImageManifestInvalid', `image '${image('nested')}': an index entry is itself an index (nested indexes are not supported)`]);
  });

  it('never reaches a link-local or metadata address: not named in the pod spec, not through a redirect', async () => {
    const named = await rejection(resolver.resolve({ image: '169.254.169.254/x/y:1', pod: {}, pullSecrets: [] }));
    expect([named.code, named.kind]).toEqual(['ImageRegistryForbiddenHost', 'terminal']);
    expect(named.message).toContain('link-local, unspecified or metadata address');
    const byName = await rejection(resolver.resolve({ image: 'metadata.google.internal/x/y:1', pod: {}, pullSecrets: [] }));
    expect(byName.code).toBe('ImageRegistryForbiddenHost');
    handler = (req, res) => {
      if (req.url?.includes('/manifests/')) return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(manifestFor(configBody));
      res.writeHead(307, { location: 'https://[fe80::1]/metadata/identity/oauth2/token' }).end();
    };
    const redirected = await rejection(resolver.resolve({ image: image('redirect-to-metadata'), pod: {}, pullSecrets: [] }));
    expect([redirected.code, redirected.message]).toEqual(['ImageRegistryForbiddenHost', `image '${image('redirect-to-metadata')}': the image config URL's host is refused (fe80::1 is a link-local, unspecified or metadata address)`]);
  });

  it('drops the Authorization header when a blob redirect leaves the origin', async () => {
    handler = (req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('u:blob-secret-pw').toString('base64')}`) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      if (req.url?.includes('/manifests/')) return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(manifestFor(configBody));
      res.writeHead(307, { location: `https://${other.host}/storage/blob` }).end();
    };
    otherHandler = (_req, res) => res.writeHead(200).end(configBody);
    const pullSecrets = [{ auths: { [main.host]: { username: 'u', password: 'blob-secret-pw' } } }];
    expect((await resolver.resolve({ image: image('redirected-blob'), pod: {}, pullSecrets })).entrypoint).toEqual(['/ok']);
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('never puts a credential or token into an error, even when the registry echoes them back', async () => {
    const password = 'echoed-password-5e2b';
    const identityToken = 'echoed-refresh-token-a81f';
    handler = (req, res) => {
      const echoed = `${req.headers.authorization ?? ''} ${decodeURIComponent(req.url ?? '')}`;
      if (req.url?.startsWith('/token')) return void res.writeHead(400, { 'content-type': 'application/json', 'x-echo': echoed }).end(JSON.stringify({ errors: [{ message: echoed }] }));
      res.writeHead(401, { 'www-authenticate': `Bearer realm="https://${main.host}/token",service="${echoed.replace(/"/g, '')}"` }).end(echoed);
    };
    const pullSecrets = [{ auths: { [main.host]: { username: 'u', password } } }, { auths: { [main.host]: { identitytoken: identityToken } } }];
    const error = await rejection(resolver.resolve({ image: image('echo'), pod: {}, pullSecrets }));
    expect(error.code).toBe('ImageUnauthorized');
    expect(main.seen.some((r) => String(r.headers.authorization).startsWith('Basic '))).toBe(true);
    const texts = [error.message, String(error.stack), JSON.stringify(error), String((error as { cause?: unknown }).cause ?? '')];
    expect(findLeaks([password, identityToken], { error: texts })).toEqual([]);
  });
});
