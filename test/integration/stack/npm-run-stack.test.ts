/**
 * `npm run stack` (scripts/local-stack/main.ts): prints one JSON object with working endpoints, keeps the
 * emulator's client secret out of its output, and SIGTERM stops everything it started.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { LocalStackDescription } from '../../../scripts/local-stack/stack.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

describe('npm run stack', () => {
  it('prints the endpoints as one JSON object, leaks no client secret, and stops everything on SIGTERM', async () => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const main = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-stack/main.ts', '--vault', 'stack-main-test'], { cwd: process.cwd(), env });
    let stdout = '';
    let stderr = '';
    main.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    main.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => main.once('exit', (code) => resolve(code)));
    try {
      await waitUntil('the stack to be ready', async () => (stderr.includes('Ctrl-C stops everything') ? true : undefined), {
        timeoutMs: 90_000,
        intervalMs: 100,
        failFast: () => (main.exitCode !== null ? new Error(`npm run stack exited early:\n${stderr}`) : undefined),
      });
      const description = JSON.parse(stdout) as LocalStackDescription; // exactly one JSON document, nothing else
      const runFile = join(tmpdir(), 'akvsync-local-stack-runs', `run-${main.pid}.json`);
      const children = (JSON.parse(readFileSync(runFile, 'utf8')) as { children: { pid: number }[] }).children.map((c) => c.pid);
      expect(children).toHaveLength(4); // etcd, kube-apiserver, kube-controller-manager, azurite

      const secret = readFileSync(description.keyVault!.clientSecretFile, 'utf8');
      expect(secret.length).toBeGreaterThanOrEqual(16);
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
      expect(readFileSync(description.caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(stdout).not.toContain('PRIVATE KEY');
      for (const file of [description.caKeyFile, description.keyVault!.clientSecretFile]) expect(statSync(file).mode & 0o077).toBe(0); // owner-only

      // the endpoints answer, over TLS that chains to the printed CA (its own, not this jest run's)
      tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(description.caFile, 'utf8')]);
      expect((await fetch(`${description.kubernetes.server}/livez`)).status).toBe(200);
      const challenge = await fetch(`${description.keyVault!.vaults['stack-main-test']}/secrets/x/?api-version=7.5`);
      expect(challenge.status).toBe(401);
      expect(challenge.headers.get('www-authenticate')).toContain(description.keyVault!.tenantId);
      expect((await fetch(`${description.azurite.queueUrl}?comp=list`)).status).toBeLessThan(500);

      main.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(children.filter(alive)).toEqual([]);
      expect(existsSync(description.dataDir)).toBe(false);
      expect(existsSync(runFile)).toBe(false);
    } finally {
      if (main.exitCode === null) main.kill('SIGKILL'); // its watchdog cleans up after it
    }
  });
});
