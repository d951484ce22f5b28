/**
 * `GET /v1/env-exec`: env-exec's bundles read from disk (hashed once), each file streamed with its sha256 and the
 * bundle's manifest digest; a missing architecture or file is 404, an unknown arch 400. (Through fastify's inject;
 * the real executables over real TLS: test/integration/env-exec/agent-mode-real-agent.test.ts.)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { bundleDigests, loadEnvExecBundles } from '../../../../cluster-agent/webhook/env-exec-bundles.js';
import { ENV_EXEC_PATH } from '../../../../cluster-agent/webhook/env-exec-route.js';
import { createWebhookServer } from '../../../../cluster-agent/webhook/webhook-server.js';
import { manifestDigest } from '../../../../core/injection/env-exec-manifest.js';
import { createTestCa, issueLoopbackServerCert } from '../../../../scripts/local-stack/tls.js';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const EXECUTABLE = Buffer.alloc(300_000, 7); // several stream chunks

let root: string;
let app: FastifyInstance;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'env-exec-bundles-'));
  mkdirSync(join(root, 'amd64'));
  writeFileSync(join(root, 'amd64', 'env-exec'), EXECUTABLE);
  writeFileSync(join(root, 'amd64', 'ld.so'), 'loader');
  mkdirSync(join(root, 'amd64', 'not-a-file'));
  const bundles = await loadEnvExecBundles(root);
  app = await createWebhookServer({
    tls: issueLoopbackServerCert(createTestCa()), admission: { decide: async () => { throw new Error('unused'); } },
    envExec: bundles, maxBodyBytes: 1 << 20, logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

describe('env-exec bundles', () => {
  it('hashes every file of each architecture present into the manifest digest the webhook pins', async () => {
    const bundles = await loadEnvExecBundles(root);
    const digest = manifestDigest([{ name: 'env-exec', sha256: sha256(EXECUTABLE) }, { name: 'ld.so', sha256: sha256('loader') }]);
    expect(bundleDigests(bundles)).toEqual({ amd64: digest });
    expect([...bundles.get('amd64')?.files.keys() ?? []]).toEqual(['env-exec', 'ld.so']);
    expect(await loadEnvExecBundles(join(root, 'missing'))).toEqual(new Map());
  });
});

describe(`GET ${ENV_EXEC_PATH}`, () => {
  it('streams the executable with its sha256 and the bundle digest', async () => {
    const res = await app.inject({ method: 'GET', url: `${ENV_EXEC_PATH}?arch=amd64` });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(EXECUTABLE)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': String(EXECUTABLE.length),
      'x-akvsync-sha256': sha256(EXECUTABLE),
      'repr-digest': `sha-256=:${createHash('sha256').update(EXECUTABLE).digest('base64')}:`,
      'x-akvsync-env-exec-digest': bundleDigests(await loadEnvExecBundles(root)).amd64,
    });
  });

  it('serves another file of the bundle by name', async () => {
    const res = await app.inject({ method: 'GET', url: `${ENV_EXEC_PATH}?arch=amd64&file=ld.so` });
    expect({ status: res.statusCode, body: res.body, sha: res.headers['x-akvsync-sha256'] }).toEqual({ status: 200, body: 'loader', sha: sha256('loader') });
  });

  it.each([
    ['', 400, 'arch must be amd64 or arm64'],
    ['?arch=riscv64', 400, 'arch must be amd64 or arm64'],
    ['?arch=arm64', 404, 'no env-exec for arm64'],
    ['?arch=amd64&file=../amd64/env-exec', 404, "no file '../amd64/env-exec'"],
    ['?arch=amd64&file=not-a-file', 404, "no file 'not-a-file'"],
  ])('%s → %d', async (query, status, message) => {
    const res = await app.inject({ method: 'GET', url: `${ENV_EXEC_PATH}${query}` });
    expect(res.statusCode).toBe(status);
    expect((res.json<{ message: string }>()).message).toContain(message);
  });
});
