/**
 * File mode's writer: each file of the plan written into the memory-backed volume by write-then-rename (a reader
 * sees the old file or the new one, never half of one), a `?*` entry as a directory with one file per key (keys that
 * disappeared removed), files whose content did not change left alone. Temporary files and the ready marker start
 * with `..`, which no requested file name may (isSafeFileName). Errors name files and key positions, never a value.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TerminalError } from '../core/errors.js';
import { isSafeFileName } from '../core/injection/file-mode-annotations.js';
import type { PlannedVariable } from '../core/injection/injection-plan.js';
import type { RenderedVariable } from '../core/injection/render-variable.js';
import { keyPosition } from '../core/sync/parse-multi-key-value.js';

/** Written once every file is in place: what the native sidecar's startupProbe (`files-ready`) looks for. */
export const READY_MARKER = '..akvsync-ready';
/** Readable by the pod's containers whatever user they run as; the volume is mounted only into this pod. */
const FILE_MODE = 0o644;

let sequence = 0;

/** Replaces `path` atomically with `content`; false when it already held exactly that. */
export function writeAtomically(path: string, content: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === content) return false;
  const temporary = join(dirname(path), `..tmp.${basename(path)}.${process.pid}.${sequence++}`);
  try {
    writeFileSync(temporary, content, { mode: FILE_MODE, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new TerminalError('FileWriteFailed', `${basename(path)} could not be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return true;
}

function writeDirectory(dir: string, file: string, keys: Readonly<Record<string, string>>): number {
  const entries = Object.entries(keys);
  entries.forEach(([key], index) => {
    if (!isSafeFileName(key)) throw new TerminalError('InvalidFileName', `file '${file}': ${keyPosition(index)} is not a safe file name ([-._a-zA-Z0-9], not '.' or '..')`);
  });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  let changed = entries.filter(([key, value]) => writeAtomically(join(dir, key), value)).length;
  const wanted = new Set(entries.map(([key]) => key));
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || wanted.has(name)) continue;
    unlinkSync(join(dir, name));
    changed++;
  }
  return changed;
}

/** Writes every planned file; returns how many files changed. Throws before writing anything for a missing value. */
export function writeFiles(dir: string, plan: readonly PlannedVariable[], rendered: ReadonlyMap<string, RenderedVariable>): number {
  for (const entry of plan) {
    const value = rendered.get(entry.env);
    if (value === undefined) throw new TerminalError('MissingValue', `file '${entry.env}': no value was resolved for '${entry.akvs}@azurekeyvault'`);
    if ((typeof value === 'string') === (entry.query === '*')) throw new TerminalError('MissingValue', `file '${entry.env}': the value resolved has the wrong shape`);
  }
  let changed = 0;
  for (const entry of plan) {
    const value = rendered.get(entry.env) as RenderedVariable;
    changed += typeof value === 'string' ? Number(writeAtomically(join(dir, entry.env), value)) : writeDirectory(join(dir, entry.env), entry.env, value);
  }
  return changed;
}

export const markReady = (dir: string): void => writeFileSync(join(dir, READY_MARKER), '', { mode: FILE_MODE });
export const isReady = (dir: string): boolean => existsSync(join(dir, READY_MARKER));
