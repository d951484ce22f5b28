/**
 * The authority under Entra ID's own host name, seen only inside one process's mount namespace: a v1 client
 * (adal-node) in a child started through hostsNamespaceCommand asks https://login.microsoftonline.com/<tenant>
 * and gets its token from the emulator on a loopback address, trusting the local CA; this process's /etc/hosts
 * never learns the name. Needs root (unshare --mount), as CI runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { hostsNamespaceCommand, randomLoopbackAddress } from '../../../scripts/peer-eso/hosts-namespace.js';
import { type TrustedEmulator, startTrustedEmulator } from '../kv-emulator/trusted-emulator.js';

const ENTRA_HOST = 'login.microsoftonline.com';
const run = promisify(execFile);
let t: TrustedEmulator;
let dir: string;
let address: string;

beforeAll(async () => {
  t = await startTrustedEmulator();
  dir = mkdtempSync(path.join(tmpdir(), 'hosts-namespace-'));
  address = randomLoopbackAddress();
  await t.emulator.serveAuthorityAs(ENTRA_HOST, address, 443);
});
afterAll(async () => {
  await t.emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const V1_CLIENT = `
const { AuthenticationContext } = require(process.env.ADAL_PATH);
const context = new AuthenticationContext('https://${ENTRA_HOST}/' + process.env.TENANT_ID, false);
context.acquireTokenWithClientCredentials('https://vault.azure.net', process.env.CLIENT_ID, process.env.CLIENT_SECRET, (error, token) => {
  if (error) { console.error(String(error.message)); process.exit(1); }
  console.log(JSON.stringify({ tokenType: token.tokenType, resource: token.resource, parts: token.accessToken.split('.').length }));
});`;

describe('the authority as login.microsoftonline.com in a private mount namespace', () => {
  it('serves a v1 client there over TLS from the local CA, attributed to its client id', async () => {
    const app = t.emulator.registerClient();
    t.emulator.resetCounters();
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, t.ca.certPem);
    const [command, args] = hostsNamespaceCommand(dir, { [ENTRA_HOST]: address }, process.execPath, ['-e', V1_CLIENT]);
    const { stdout } = await run(command, args, {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_EXTRA_CA_CERTS: caFile,
        ADAL_PATH: createRequire(import.meta.url).resolve('adal-node'),
        TENANT_ID: t.emulator.tenantId,
        CLIENT_ID: app.clientId,
        CLIENT_SECRET: app.clientSecret,
      },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({ tokenType: 'Bearer', resource: 'https://vault.azure.net', parts: 3 });
    expect(t.emulator.countersByClient()[app.clientId]).toEqual({ '(authority) token 200': 1 });
    expect(readFileSync('/etc/hosts', 'utf8')).not.toContain(address);
  });

  it('refuses to start the command when a name would not resolve to loopback there', async () => {
    const [command, args] = hostsNamespaceCommand(dir, { [ENTRA_HOST]: address }, '/bin/echo', ['started']);
    const patched = args.map((a) => (a === `${ENTRA_HOST}=${address}` ? `${ENTRA_HOST}=127.0.0.254` : a));
    const outcome = await run(command, patched).then(
      () => 'started',
      (e: { code?: number; stderr?: string }) => `${e.code}: ${e.stderr ?? ''}`,
    );
    expect(outcome).toMatch(/^3: .*resolves to '127\.\d+\.\d+\.\d+' here, not 127\.0\.0\.254; refusing/);
    expect(() => hostsNamespaceCommand(dir, { [ENTRA_HOST]: '10.0.0.1' }, '/bin/echo', [])).toThrow(/not a loopback address/);
  });
});
