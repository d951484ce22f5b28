/**
 * `npm run package:functions` as a deployment would use it: the zip is unpacked into an empty folder outside
 * the repository (no node_modules anywhere above it), the local Functions host loads the app from the `main`
 * its package.json names, the function registers, a Key Vault event becomes a signed push, and telemetry
 * from the bundled applicationinsights reaches a local ingestion endpoint.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { verifySignature } from '../../../core/notification/signature.js';
import { startFunctionsHost, type FunctionsHost } from '../../../scripts/functions-host/host.js';
import { FIXTURE_VAULT, loadEventFixture } from '../../support/key-vault-events.js';
import { SIGNING_KEY_BYTES, clusterEntry } from '../../unit/functions/support/cluster-settings.js';
import { signedNotificationFrom, startHttpsReceiver, type HttpsReceiver } from '../../unit/functions/support/https-receiver.js';
import { startIngestionRecorder, type IngestionRecorder } from '../e2e/ingestion-recorder.js';
import { getTestStack } from '../support/stack-client.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

let work: string;
let appDir: string;
let zipPath: string;
let receiver: HttpsReceiver;
let ingestion: IngestionRecorder;
let host: FunctionsHost | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'akvsync-zip-test-'));
  zipPath = join(work, 'functions-app.zip');
  appDir = join(work, 'wwwroot');
  await run(join(repoRoot, 'scripts/node'), ['--import', 'tsx', 'scripts/package-functions/main.ts', '--out', zipPath], { cwd: repoRoot });
  await run('unzip', ['-q', zipPath, '-d', appDir]);
  receiver = await startHttpsReceiver();
  ingestion = await startIngestionRecorder(getTestStack().ca);
});
afterAll(async () => {
  await host?.close();
  await receiver?.close();
  await ingestion?.close();
  await rm(work, { recursive: true, force: true });
});

describe('the Function app zip', () => {
  it('holds only host.json, package.json and the bundle (no node_modules, no sources, no dev dependencies)', async () => {
    const files = (await readdir(appDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(appDir.length + 1));
    expect(files.sort()).toEqual(['dist/index.mjs', 'dist/index.mjs.LEGAL.txt', 'host.json', 'package.json']);
    const bundle = await readFile(join(appDir, 'dist/index.mjs'), 'utf8');
    for (const devOnly of ['node_modules/jest', 'node_modules/typescript/', 'node_modules/azurite', 'node_modules/eslint', 'node_modules/tsx']) expect(bundle).not.toContain(devOnly);
    expect((await stat(zipPath)).size).toBeLessThan(5 * 1024 * 1024);
  });

  it('has a package.json whose main is the bundle, and the repository host.json', async () => {
    const manifest = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ type: 'module', main: 'dist/index.mjs' });
    expect(manifest).not.toHaveProperty('dependencies');
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(await readFile(join(appDir, 'host.json'), 'utf8')).toBe(await readFile(join(repoRoot, 'host.json'), 'utf8'));
    for (let dir = appDir; dir !== '/'; dir = join(dir, '..')) expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });

  it('loads in the Functions host from its main, registers keyVaultEvents and pushes a signed notification', async () => {
    const { main } = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8')) as { main: string };
    host = await startFunctionsHost({
      port: 0,
      appEntry: join(appDir, main),
      env: {
        AKVSYNC_CLUSTERS: JSON.stringify([clusterEntry({ name: 'alpha', keyId: 'alpha-2025-03', pushUrl: receiver.url, caPem: receiver.ca.certPem, vaults: [FIXTURE_VAULT] })]),
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
        NODE_EXTRA_CA_CERTS: getTestStack().caFile,
      },
      onLog: () => undefined,
    });
    expect(host.functions).toEqual(['keyVaultEvents']);

    const res = await fetch(`${host.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify(loadEventFixture('eventgrid-secret-new-version-created.json')),
    });
    expect(res.status).toBe(200);
    const [push] = receiver.requests;
    expect(push?.path).toBe('/v1/notifications');
    const signed = signedNotificationFrom(push!);
    expect(verifySignature(new Map([['alpha-2025-03', new Uint8Array(SIGNING_KEY_BYTES)]]), signed, signed.timestamp, 300)).toEqual({ ok: true, keyId: 'alpha-2025-03' });
  });

  it('sends telemetry through the bundled applicationinsights (flushed when the host stops)', async () => {
    await host?.close();
    host = undefined;
    expect(ingestion.batches.join('\n')).toContain('akvsync.events.delivered');
  });
});
