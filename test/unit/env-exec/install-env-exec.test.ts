import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestDigest } from '../../../core/injection/env-exec-manifest.js';
import { installEnvExec, manifestOf } from '../../../env-exec/install-env-exec.js';
import { findExecutable } from '../../../env-exec/exec-original.js';
import { terminalErrorFrom } from '../core/sync/terminal-error.js';

let from: string;
let to: string;
beforeEach(() => {
  from = mkdtempSync(join(tmpdir(), 'env-exec-from-'));
  to = mkdtempSync(join(tmpdir(), 'env-exec-to-'));
  writeFileSync(join(from, 'env-exec'), 'binary');
  writeFileSync(join(from, 'ld.so'), 'loader');
});
afterEach(() => {
  rmSync(from, { recursive: true, force: true });
  rmSync(to, { recursive: true, force: true });
});

describe('installEnvExec', () => {
  it('copies every file read-only and executable when the digest pinned for its architecture matches', () => {
    installEnvExec(from, to, { amd64: manifestDigest(manifestOf(from)), arm64: 'b'.repeat(64) }, 'x64');
    expect(readFileSync(join(to, 'env-exec'), 'utf8')).toBe('binary');
    expect(statSync(join(to, 'ld.so')).mode & 0o777).toBe(0o555);
  });

  it('refuses, copying nothing, when any file differs from the pinned digest', () => {
    const pinned = manifestDigest(manifestOf(from));
    writeFileSync(join(from, 'ld.so'), 'other loader');
    expect(terminalErrorFrom(() => installEnvExec(from, to, { amd64: pinned }, 'x64')).code).toBe('DigestMismatch');
    expect(() => statSync(join(to, 'env-exec'))).toThrow();
  });

  it('names the target and the errno when the volume cannot be written', () => {
    const error = terminalErrorFrom(() => installEnvExec(from, join(to, 'missing'), { amd64: manifestDigest(manifestOf(from)) }, 'x64'));
    expect(error).toMatchObject({ code: 'InstallFailed', message: expect.stringContaining(`copying env-exec into ${join(to, 'missing')} failed (ENOENT)`) });
  });

  it('checks the digest of the architecture it runs on, and refuses one the pod pins nothing for', () => {
    const digest = manifestDigest(manifestOf(from));
    const wrongArch = terminalErrorFrom(() => installEnvExec(from, to, { amd64: 'a'.repeat(64), arm64: digest }, 'x64'));
    expect(wrongArch.message).toContain(`(amd64) has digest ${digest}, the pod pins ${'a'.repeat(64)}`);
    const unpinned = terminalErrorFrom(() => installEnvExec(from, to, { amd64: digest }, 'arm64'));
    expect(unpinned).toMatchObject({ code: 'DigestMismatch', message: expect.stringContaining('pins no env-exec digest for arm64 (pinned: amd64)') });
    expect(terminalErrorFrom(() => installEnvExec(from, to, { amd64: digest }, 'riscv64')).message).toContain('for riscv64');
    expect(() => statSync(join(to, 'env-exec'))).toThrow();
  });
});

describe('findExecutable', () => {
  it('takes a path as it is, searches PATH otherwise, and names a missing command', () => {
    expect(findExecutable('/bin/sh', undefined)).toBe('/bin/sh');
    expect(findExecutable('sh', '/nonexistent:/bin')).toBe('/bin/sh');
    expect(terminalErrorFrom(() => findExecutable('no-such-cmd', '/bin')).code).toBe('CommandNotFound');
  });
});
