/**
 * `npm run kv-emulator` as a process: one JSON line describing the endpoints, a CA kept in --ca-dir and reused,
 * a real SecretClient against it, and a clean stop on SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { trustCa } from './trusted-emulator.js';

interface Started {
  vaults: Record<string, string>;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecretPath: string;
  caCertPath: string;
}

const root = path.resolve(import.meta.dirname, '../../..');
let caDir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  caDir = mkdtempSync(path.join(tmpdir(), 'kv-emulator-cli-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(caDir, { recursive: true, force: true });
});

async function startCli(args: string[]): Promise<{ child: ChildProcess; started: Started; stdout: string[] }> {
  const child = spawn(path.join(root, 'scripts/node'), ['--import', 'tsx', 'scripts/kv-emulator/main.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const stdout: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`kv-emulator exited with ${String(code)}: ${stderr.join('')}`)));
  });
  return { child, started: JSON.parse(first) as Started, stdout };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

describe('npm run kv-emulator', () => {
  it('prints its endpoints, serves the real SDK, keeps its CA, and stops on SIGINT', async () => {
    const { child, started, stdout } = await startCli(['--vault', 'cli-one', '--vault', 'cli-two', '--ca-dir', caDir]);

    expect(Object.keys(started.vaults)).toEqual(['cli-one', 'cli-two']);
    expect(started.caCertPath).toBe(path.join(caDir, 'ca.pem'));
    expect(statSync(path.join(caDir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(started.clientSecretPath).toBe(path.join(caDir, 'client-secret'));
    expect(statSync(started.clientSecretPath).mode & 0o777).toBe(0o600);
    const clientSecret = readFileSync(started.clientSecretPath, 'utf8');
    const caPem = readFileSync(started.caCertPath, 'utf8');
    trustCa({ certPem: caPem, keyPem: '' });
    const credential = new ClientSecretCredential(started.tenantId, started.clientId, clientSecret, {
      authorityHost: started.authorityHost,
      disableInstanceDiscovery: true,
    });
    const client = new SecretClient(started.vaults['cli-two'] ?? '', credential, { disableChallengeResourceVerification: true });
    await client.setSecret('from-cli-test', 'cli-value');
    expect((await client.getSecret('from-cli-test')).value).toBe('cli-value');

    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
    expect(stdout.join('')).not.toContain(clientSecret);
    expect(stdout.join('')).not.toContain('cli-value');

    const again = await startCli(['--ca-dir', caDir]);
    try {
      expect(Object.keys(again.started.vaults)).toEqual(['demo']);
      expect(readFileSync(again.started.caCertPath, 'utf8')).toBe(caPem);
    } finally {
      again.child.kill('SIGINT');
      await exitCode(again.child);
    }
  });

  it('rejects an invalid vault name with a message naming it', async () => {
    await expect(startCli(['--vault', 'no_underscores', '--ca-dir', caDir])).rejects.toThrow(/'no_underscores' is not a valid vault name/);
  });
});
