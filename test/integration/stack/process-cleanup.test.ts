/**
 * Nothing the local stack starts outlives its owner: stop() ends a child's process group; SIGTERM to the
 * owner ends its children; if the owner is SIGKILLed, its watchdog cleans up; and if the watchdog dies too,
 * the next start reaps what the dead run left (from its pid file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess } from '../../../scripts/local-stack/managed-process.js';
import { waitUntil } from '../../../scripts/local-stack/wait-until.js';

const fixture = fileURLToPath(new URL('./fixtures/hold-child.ts', import.meta.url));
const wait = { timeoutMs: 20_000, intervalMs: 50 };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); // a zombie is gone for our purposes
  } catch {
    return false;
  }
}

interface Holder {
  readonly owner: ChildProcess;
  readonly sleeperPid: number;
  readonly dir: string;
  readonly exited: Promise<void>;
}

async function startHolder(): Promise<Holder> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const owner = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    owner.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    owner.once('exit', (code) => reject(new Error(`fixture exited (${code}) before reporting`)));
  });
  const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
  return { owner, sleeperPid: pid, dir, exited };
}

function watchdogOf(ownerPid: number): number {
  const children = readFileSync(`/proc/${ownerPid}/task/${ownerPid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const watchdog = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('-e'));
  if (watchdog === undefined) throw new Error(`no watchdog among the children of ${ownerPid}`);
  return watchdog;
}

describe('process cleanup of the local stack', () => {
  it('stop() ends the process group and keeps the log readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akvsync-cleanup-test-'));
    try {
      const proc = ManagedProcess.start({ name: 'talker', command: 'sh', args: ['-c', 'echo hello from talker; sleep 300 & wait'], logFile: join(dir, 'talker.log') });
      await waitUntil('the child to log', async () => (proc.logTail().includes('hello from talker') ? true : undefined), wait);

      await proc.stop(200);

      expect(proc.exitStatus).toBeDefined();
      expect(alive(proc.pid)).toBe(false);
      const groupGone = (): boolean => {
        try {
          process.kill(-proc.pid, 0);
          return false;
        } catch {
          return true;
        }
      };
      // the backgrounded sleep got the signal too (it may linger a moment as a zombie until reaped)
      await waitUntil('the whole process group to be gone', async () => (groupGone() ? true : undefined), wait);
      expect(proc.failure('failed').message).toContain('hello from talker');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM to the owner stops its children and removes its temp dirs', async () => {
    const holder = await startHolder();
    expect(alive(holder.sleeperPid)).toBe(true);

    holder.owner.kill('SIGTERM');
    await holder.exited;

    await waitUntil('the child to be gone', async () => (alive(holder.sleeperPid) ? undefined : true), wait);
    expect(existsSync(holder.dir)).toBe(false);
  });

  it('if the owner is SIGKILLed, its watchdog stops the children and removes the temp dirs', async () => {
    const holder = await startHolder();

    holder.owner.kill('SIGKILL');
    await holder.exited;

    const runFile = join(tmpdir(), 'akvsync-local-stack-runs', `run-${holder.owner.pid}.json`);
    await waitUntil('the watchdog to clean up', async () => (alive(holder.sleeperPid) || existsSync(holder.dir) || existsSync(runFile) ? undefined : true), wait);
  });

  it('if owner and watchdog are both SIGKILLed, the next start reaps the leftovers', async () => {
    const dead = await startHolder();
    const watchdog = watchdogOf(dead.owner.pid!);
    process.kill(watchdog, 'SIGKILL');
    dead.owner.kill('SIGKILL');
    await dead.exited;
    await waitUntil('the watchdog to die', async () => (alive(watchdog) ? undefined : true), wait);
    expect(alive(dead.sleeperPid)).toBe(true); // nobody cleaned up yet

    const next = await startHolder(); // its first tracked child triggers the reaping
    try {
      await waitUntil('the leftovers to be reaped', async () => (alive(dead.sleeperPid) || existsSync(dead.dir) ? undefined : true), wait);
      expect(alive(next.sleeperPid)).toBe(true);
    } finally {
      next.owner.kill('SIGTERM');
      await next.exited;
    }
  });
});
