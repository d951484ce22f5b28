/**
 * File mode end to end on the real stack: a pod asking for files (`akvsync.io/inject-file-*`, refresh on) is created
 * through the real apiserver, which calls the agent's webhook; the stored pod carries the native sidecar and no value.
 * Its command is then run as the kubelet would run that sidecar (env-exec, the real single executable, with the
 * container's env and a real pod-bound projected token; the volume is a directory here), and:
 *  - the files appear with the values from the Key Vault emulator, the ready marker lets the startup probe pass;
 *  - a rotation (Key Vault → notification → the leader syncs the AzureKeyVaultSecret's status) reaches the file
 *    without a restart, replaced atomically (no temporary file left);
 *  - no value is in the stored pod, the sidecar's output, its argv or the agent's logs.
 * The harness's fallback check runs hourly, so only the notification can have carried the rotation here.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILES_CONTAINER } from '../../../core/injection/file-mode-mutation.js';
import type { Container, Pod } from '../../../core/injection/pod-types.js';
import { type BuiltEnvExec, builtEnvExec } from '../../../scripts/env-exec/container-roots.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';
import { findLeaks } from '../../support/find-leaks.js';
import type { AgentHarness } from '../agent/agent-harness.js';
import { type InjectingAgent, startInjectingAgent } from '../webhook/register-test-webhook.js';

const FIRST = `file-mode-first-${randomUUID()}`;
const SECOND = `file-mode-second-${randomUUID()}`;
const KEYS = { user: `user-${randomUUID()}`, password: `pw-${randomUUID()}` };

/** The sidecar's command with its `--dir` pointed at `volume` (the kubelet would mount the emptyDir there). */
function runSidecar(container: Container, volume: string, tokenFile: string): { child: ChildProcess; output: () => string } {
  const command = (container.command ?? []).map((arg, i, all) => (all[i - 1] === '--dir' ? volume : arg));
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  env.AKVSYNC_ENV_EXEC_TOKEN_FILE = tokenFile; // the projected token's mount, here a file of the test
  const child = spawn(command[0] as string, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  return { child, output: () => output };
}

describe('file mode against the real agent', () => {
  let built: BuiltEnvExec;
  let h: AgentHarness;
  let team: string;
  let agent: InjectingAgent | undefined;
  let volume: string;

  beforeAll(async () => {
    built = builtEnvExec();
    volume = mkdtempSync(join(tmpdir(), 'akvsync-file-mode-'));
    agent = await startInjectingAgent(built, async (harness, namespace) => {
      harness.emulator.setSecret('kv1', 'db-password', FIRST);
      harness.emulator.setSecret('kv1', 'db-settings', JSON.stringify(KEYS), { contentType: 'application/x-json' });
      await harness.createAkvs(namespace, 'db-password', { vault: { name: 'kv1', object: { name: 'db-password', type: 'secret' } } } as never);
      await harness.createAkvs(namespace, 'db-settings', { vault: { name: 'kv1', object: { name: 'db-settings', type: 'multi-key-value-secret', contentType: 'application/x-json' } } } as never);
    });
    ({ h, team } = agent);
    await waitUntil('both AzureKeyVaultSecrets synced', async () => {
      const a = await h.getStatus(team, 'db-password');
      const b = await h.getStatus(team, 'db-settings');
      return a?.syncedVersion && b?.syncedVersion ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
  }, 600_000);

  afterAll(async () => {
    await agent?.stop();
    if (volume) rmSync(volume, { recursive: true, force: true });
  });

  it('writes the files before the containers start and rewrites one atomically when its secret rotates', async () => {
    const body: V1Pod = {
      metadata: { name: 'app', annotations: {
        'akvsync.io/inject-file-password': 'db-password@azurekeyvault',
        'akvsync.io/inject-file-db': 'db-settings@azurekeyvault?*',
        'akvsync.io/inject-files-refresh': 'true',
      } },
      spec: { containers: [{ name: 'app', image: 'registry.local/app:1', command: ['/app'] }] },
    };
    await waitUntil('the apiserver to call the agent', async () => {
      const probe = await h.core.createNamespacedPod({ namespace: team, body, dryRun: 'All' });
      return probe.spec?.initContainers?.length ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    const stored = await h.core.createNamespacedPod({ namespace: team, body });
    const pod = stored as unknown as Pod;
    const sidecar = pod.spec.initContainers?.find((c) => c.name === FILES_CONTAINER) as Container;
    expect(sidecar.restartPolicy).toBe('Always');
    expect(pod.spec.containers[0]?.volumeMounts).toContainEqual({ name: 'akvsync-secret-files', mountPath: '/akvsync/secrets', readOnly: true });

    const token = await h.core.createNamespacedServiceAccountToken({ namespace: team, name: 'default', body: {
      spec: { audiences: [`akvsync.io/env-exec/${FILES_CONTAINER}`], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'app', uid: stored.metadata?.uid ?? '' } },
    } });
    const tokenFile = join(volume, '..token');
    writeFileSync(tokenFile, token.status?.token ?? '');
    const files = join(volume, 'files');
    execFileSync('mkdir', ['-p', files]);
    const probe = (sidecar.startupProbe as { exec: { command: string[] } }).exec.command.map((arg, i, all) => (all[i - 1] === '--dir' ? files : arg));
    const notReady = async (): Promise<boolean> => { try { execFileSync(probe[0] as string, probe.slice(1), { stdio: 'pipe' }); return false; } catch { return true; } };
    expect(await notReady()).toBe(true);

    const running = runSidecar(sidecar, files, tokenFile);
    try {
      await waitUntil('the startup probe to pass', async () => ((await notReady()) ? undefined : true), { timeoutMs: 30_000, intervalMs: 100 });
      expect(readFileSync(join(files, 'password'), 'utf8')).toBe(FIRST);
      expect(readFileSync(join(files, 'db', 'user'), 'utf8')).toBe(KEYS.user);
      expect(readFileSync(join(files, 'db', 'password'), 'utf8')).toBe(KEYS.password);

      const { version } = h.emulator.setSecret('kv1', 'db-password', SECOND);
      expect((await h.notify(h.notification({ objectName: 'db-password', version }))).status).toBe(202);
      await waitUntil('the file to hold the rotated value', async () => (readFileSync(join(files, 'password'), 'utf8') === SECOND ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
      expect(readdirSync(files).sort()).toEqual(['..akvsync-ready', 'db', 'password']);
      expect(running.child.exitCode).toBeNull();

      const argv = readFileSync(`/proc/${running.child.pid}/cmdline`, 'utf8');
      expect(findLeaks([FIRST, SECOND, KEYS.user, KEYS.password], {
        argv: [argv], stdout: [running.output()], stderr: [h.logLines.join('\n')], podSpec: [JSON.stringify(await h.core.readNamespacedPod({ namespace: team, name: 'app' }))],
      })).toEqual([]);
    } finally {
      running.child.kill('SIGTERM');
    }
  }, 120_000);
});
