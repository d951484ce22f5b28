/**
 * Tracks every child process group and temporary directory the local stack creates in this process, so that
 * nothing outlives the run, however it ends:
 *  - normally, owners call stop() and untrack what they stopped;
 *  - on process exit, or on SIGINT/SIGTERM/SIGHUP when nobody else handles the signal, the remaining groups
 *    are SIGKILLed and the directories removed, synchronously;
 *  - if this process is SIGKILLed or crashes hard, a detached watchdog holding a pipe to it sees the pipe close
 *    and does the same;
 *  - as a last resort a pid file per run lets the next start kill the leftovers of a dead run.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startOrphanWatchdog, type OrphanWatchdog } from './orphan-watchdog.js';

/** A child we started: `match` is an argv element that identifies it in /proc/<pid>/cmdline. */
interface TrackedChild {
  readonly pid: number;
  readonly match: string;
}
interface RunFile {
  readonly ownerPid: number;
  readonly children: TrackedChild[];
  readonly dirs: string[];
}

const RUNS_DIR = join(tmpdir(), 'akvsync-local-stack-runs');
/** Directories we are willing to delete on behalf of a dead run: our own temp dirs only. */
const TEMP_PREFIX = 'akvsync-';

const children = new Map<number, TrackedChild>();
const dirs = new Set<string>();
let installed = false;
let watchdog: OrphanWatchdog | undefined;

function runFilePath(): string {
  return join(RUNS_DIR, `run-${process.pid}.json`);
}

/** Sends a signal to a whole process group, ignoring groups that are already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function isOwnedTempDir(dir: string): boolean {
  return dir.startsWith(tmpdir()) && basename(dir).startsWith(TEMP_PREFIX);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdlineIncludes(pid: number, match: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(match);
  } catch {
    return false; // the process is gone
  }
}

/** Kills the process groups and removes the temp dirs recorded by runs whose owner process is dead. */
function reapDeadRuns(): void {
  let files: string[];
  try {
    files = readdirSync(RUNS_DIR).filter((f) => /^run-\d+\.json$/.test(f));
  } catch {
    return; // no runs recorded yet
  }
  for (const file of files) {
    const path = join(RUNS_DIR, file);
    let run: RunFile;
    try {
      run = JSON.parse(readFileSync(path, 'utf8')) as RunFile;
    } catch {
      continue; // being written by a live run, or unreadable: leave it alone
    }
    if (run.ownerPid === process.pid || processAlive(run.ownerPid)) continue;
    for (const child of run.children) {
      if (cmdlineIncludes(child.pid, child.match)) {
        process.stderr.write(`local-stack: killing leftover ${child.match} (pid ${child.pid}) of dead run ${run.ownerPid}\n`);
        signalGroup(child.pid, 'SIGKILL');
      }
    }
    for (const dir of run.dirs.filter(isOwnedTempDir)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    rmSync(path, { force: true });
  }
}

function writeRunFile(): void {
  const path = runFilePath();
  if (children.size === 0 && dirs.size === 0) {
    rmSync(path, { force: true });
    return;
  }
  const run: RunFile = { ownerPid: process.pid, children: [...children.values()], dirs: [...dirs] };
  // rename is atomic, so a concurrent reaper never reads half a file
  writeFileSync(`${path}.tmp`, JSON.stringify(run));
  renameSync(`${path}.tmp`, path);
}

function killEverythingNow(): void {
  for (const child of children.values()) signalGroup(child.pid, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  children.clear();
  dirs.clear();
  rmSync(runFilePath(), { force: true });
}

function install(): void {
  if (installed) return;
  installed = true;
  mkdirSync(RUNS_DIR, { recursive: true });
  reapDeadRuns();
  watchdog = startOrphanWatchdog(runFilePath());
  process.once('exit', killEverythingNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, function onSignal() {
      // Someone else (e.g. `npm run stack`) handles this signal and shuts down gracefully; we clean up at exit.
      if (process.listenerCount(signal) > 1) return;
      process.removeListener(signal, onSignal);
      killEverythingNow();
      process.kill(process.pid, signal); // default action now that nobody listens
    });
  }
}

/** Starts tracking the process group led by `pid`. Call right after spawning it (detached). */
export function trackChild(pid: number, match: string): void {
  install();
  children.set(pid, { pid, match });
  watchdog?.tell(`+g ${pid}`);
  writeRunFile();
}

export function untrackChild(pid: number): void {
  if (!children.delete(pid)) return;
  watchdog?.tell(`-g ${pid}`);
  writeRunFile();
}

/** Starts tracking a temporary directory (it must be under the OS temp dir and named `akvsync-…`). */
export function trackTempDir(dir: string): void {
  if (!isOwnedTempDir(dir)) throw new Error(`refusing to track ${dir}: not an ${TEMP_PREFIX}* directory under ${tmpdir()}`);
  install();
  dirs.add(dir);
  watchdog?.tell(`+d ${dir}`);
  writeRunFile();
}

/** Removes a tracked temporary directory now and stops tracking it. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  if (!dirs.delete(dir)) return;
  watchdog?.tell(`-d ${dir}`);
  writeRunFile();
}
