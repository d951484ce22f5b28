/**
 * Test support: runs a mutated pod's containers the way the kubelet would, in a chroot: the install init container
 * (its volume mounted at /akvsync/env-exec inside the root, world-writable as an emptyDir is; as the init
 * container's runAsUser), then the container with exactly its spec's command, args and env (plus what the test
 * adds, e.g. the Azure Workload Identity webhook's variables), as its runAsUser when it sets one.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_EXEC_INSTALL_CONTAINER, ENV_EXEC_MOUNT_PATH } from '../../../core/injection/env-exec-layout.js';
import type { Container, Pod } from '../../../core/injection/pod-types.js';

/** The install init container's command, run on this host (standing in for the agent image) into the root's volume. */
export function runInstallStep(pod: Pod, root: string): void {
  const init = pod.spec.initContainers?.find((c) => c.name === ENV_EXEC_INSTALL_CONTAINER);
  if (!init?.command) throw new Error('no install init container');
  const volume = join(root, ENV_EXEC_MOUNT_PATH);
  mkdirSync(volume, { recursive: true });
  chmodSync(volume, 0o777);
  const command = init.command.map((arg, i) => (init.command?.[i - 1] === '--to' ? volume : arg));
  const user = runAs(init);
  execFileSync(command[0] as string, command.slice(1), { stdio: 'pipe', ...(user ? { uid: user.uid, gid: user.gid } : {}) });
}

/** The container's runAsUser/runAsGroup (the group defaults to the user's id here), if its securityContext sets one. */
function runAs(container: Container): { uid: number; gid: number } | undefined {
  const context = container.securityContext as { runAsUser?: number; runAsGroup?: number } | undefined;
  return context?.runAsUser === undefined ? undefined : { uid: context.runAsUser, gid: context.runAsGroup ?? context.runAsUser };
}

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  exit(): Promise<number | null>;
  /** Kills the process if it still runs (a failed assertion must not leave it holding the test run open). */
  stop(): void;
}

/** Starts the container's command in the root (chroot execs it, so the child's PID is the container's PID 1 here). */
export function startContainer(root: string, container: Container, extraEnv: Record<string, string>): Started {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  Object.assign(env, extraEnv);
  const user = runAs(container);
  const userspec = user ? [`--userspec=${user.uid}:${user.gid}`] : [];
  const child = spawn('/usr/sbin/chroot', [...userspec, root, ...(container.command ?? []), ...(container.args ?? [])], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error('spawn failed');
  let running = true;
  void exited.then(() => { running = false; });
  const stop = (): void => { if (running) child.kill('SIGKILL'); };
  return { child, pid: child.pid, stdout: () => out, stderr: () => err, exit: () => exited, stop };
}

/** Waits until the process runs `program` (inside `root`): env-exec has execve'd it. undefined if it exited first. */
export async function waitForProgram(started: Started, root: string, program: string, timeoutMs = 30_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void started.exit().then(() => { exited = true; });
  while (Date.now() < deadline && !exited) {
    try {
      const exe = readlinkSync(`/proc/${started.pid}/exe`);
      // The kernel points /proc/<pid>/exe at the new program before it has laid out the new argv: until then
      // /proc/<pid>/cmdline reads empty, so wait for both.
      if (exe === join(root, program) && readFileSync(`/proc/${started.pid}/cmdline`).length > 0) return exe;
    } catch {
      // not started yet, or gone
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

const nulSeparated = (path: string): string[] => readFileSync(path, 'utf8').split('\0').filter((s) => s !== '');

export function procEnviron(pid: number): Record<string, string> {
  return Object.fromEntries(nulSeparated(`/proc/${pid}/environ`).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}
export const procArgv = (pid: number): string[] => nulSeparated(`/proc/${pid}/cmdline`);

/** Every regular file under `dir` except those under `skip`, with its content (latin1), for leak checks. */
export function filesUnder(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (full === skip) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(readFileSync(full, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

/** O_NONBLOCK on fds 0-2 of the process: env-exec must hand the program its stdio as the runtime gave it (blocking). */
export function nonBlockingStdio(pid: number): number[] {
  return [0, 1, 2].filter((fd) => {
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & 0o4000) !== 0;
  });
}
