import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlannedVariable } from '../../../core/injection/injection-plan.js';
import type { RenderedVariable } from '../../../core/injection/render-variable.js';
import { READY_MARKER, isReady, markReady, writeAtomically, writeFiles } from '../../../env-exec/write-files.js';

const source = { vault: 'kv1', name: 'obj', type: 'secret' as const };
const single: PlannedVariable = { env: 'password', akvs: 'a', query: undefined, source };
const all: PlannedVariable = { env: 'db', akvs: 'b', query: '*', source: { ...source, type: 'multi-key-value-secret' } };

describe('env-exec file mode writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'akvsync-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a file and a directory of keys, readable by the pod (0644), and counts only changes', () => {
    const rendered = new Map<string, RenderedVariable>([['password', 'p1'], ['db', { host: 'h', user: 'u' }]]);
    expect(writeFiles(dir, [single, all], rendered)).toBe(3);
    expect(readFileSync(join(dir, 'password'), 'utf8')).toBe('p1');
    expect(readFileSync(join(dir, 'db', 'user'), 'utf8')).toBe('u');
    expect(statSync(join(dir, 'password')).mode & 0o777).toBe(0o644);
    expect(writeFiles(dir, [single, all], rendered)).toBe(0);
    expect(writeFiles(dir, [single, all], new Map<string, RenderedVariable>([['password', 'p2'], ['db', { host: 'h' }]]))).toBe(2);
    expect(readdirSync(join(dir, 'db'))).toEqual(['host']);
    expect(readdirSync(dir).sort()).toEqual(['db', 'password']);
  });

  it('replaces by rename: the inode changes and no temporary file stays', () => {
    const path = join(dir, 'big');
    writeAtomically(path, 'a');
    const before = statSync(path).ino;
    expect(writeAtomically(path, 'b')).toBe(true);
    expect(statSync(path).ino).not.toBe(before);
    expect(writeAtomically(path, 'b')).toBe(false);
    expect(readdirSync(dir)).toEqual(['big']);
  });

  it('a reader in another process never sees half a file while it is rewritten', async () => {
    const path = join(dir, 'big');
    const size = 1 << 20;
    writeAtomically(path, 'a'.repeat(size));
    // The reader reports every read that is not exactly one whole version.
    const reader = spawn(process.execPath, ['-e', `
      const fs = require('node:fs'); let reads = 0, torn = 0; const end = Date.now() + 1500;
      while (Date.now() < end) { const t = fs.readFileSync(${JSON.stringify(path)}, 'latin1'); reads++;
        if (t.length !== ${size} || (t[0] !== t[t.length - 1]) || t.indexOf(t[0] === 'a' ? 'b' : 'a') >= 0) torn++; }
      process.stdout.write(JSON.stringify({ reads, torn }));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    reader.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise((resolve) => reader.on('exit', resolve));
    let writes = 0;
    const end = Date.now() + 1200;
    while (Date.now() < end) {
      writeAtomically(path, (writes % 2 === 0 ? 'b' : 'a').repeat(size));
      writes++;
      await new Promise((r) => setImmediate(r));
    }
    await exited;
    const { reads, torn } = JSON.parse(out) as { reads: number; torn: number };
    expect(writes).toBeGreaterThan(10);
    expect(reads).toBeGreaterThan(10);
    expect(torn).toBe(0);
  }, 20_000);

  it('refuses the whole set before writing when a value is missing or has the wrong shape (the old files stay)', () => {
    writeFileSync(join(dir, 'password'), 'old');
    expect(() => writeFiles(dir, [single, all], new Map<string, RenderedVariable>([['password', 'new']]))).toThrow(/file 'db': no value/);
    expect(() => writeFiles(dir, [single], new Map<string, RenderedVariable>([['password', { k: 'v' }]]))).toThrow(/wrong shape/);
    expect(readFileSync(join(dir, 'password'), 'utf8')).toBe('old');
  });

  it('refuses a key that is not a safe file name by position, never quoting it', () => {
    const hostile = '..';
    let message = '';
    try {
      writeFiles(dir, [all], new Map<string, RenderedVariable>([['db', { [hostile]: 'v', ok: 'x' }]]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('the key at position 1 is not a safe file name');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('marks the set ready for the startup probe', () => {
    expect(isReady(dir)).toBe(false);
    markReady(dir);
    expect(isReady(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([READY_MARKER]);
  });
});
