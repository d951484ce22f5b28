import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedFiles } from '../../../../cluster-agent/manifests/write-generated-files.js';

describe('writeGeneratedFiles', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'akvsync-gen-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); process.exitCode = undefined; });
  const file = (name: string, content: string) => ({ target: pathToFileURL(join(dir, name)), label: name, content });
  const quiet = <T>(fn: () => T): T => {
    const [log, error] = [console.log, console.error];
    console.log = () => undefined; console.error = () => undefined;
    try { return fn(); } finally { console.log = log; console.error = error; }
  };

  it('writes every file (folders included) without --check', () => {
    quiet(() => writeGeneratedFiles([file('a.yaml', 'a: 1\n'), file('sub/b.yaml', 'b: 2\n')], 'gen.ts', []));
    expect(readFileSync(join(dir, 'sub/b.yaml'), 'utf8')).toBe('b: 2\n');
    expect(process.exitCode).toBeUndefined();
  });

  it('with --check writes nothing and fails on a stale or missing file only', () => {
    writeFileSync(join(dir, 'a.yaml'), 'a: 1\n');
    quiet(() => writeGeneratedFiles([file('a.yaml', 'a: 1\n')], 'gen.ts', ['--check']));
    expect(process.exitCode).toBeUndefined();
    quiet(() => writeGeneratedFiles([file('a.yaml', 'a: 2\n'), file('missing.yaml', 'x\n')], 'gen.ts', ['--check']));
    expect(process.exitCode).toBe(1);
    expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe('a: 1\n');
  });
});
