/**
 * Test support: env-exec built as a single executable (cached), and container root filesystems to run it in:
 *  - 'scratch': EMPTY but for the target program (a static musl binary) — what a FROM scratch image holds;
 *  - 'musl': the musl loader and a dynamically linked musl program — what an Alpine image holds.
 * The target program (`hold`) blocks until its stdin closes, so a test can read its /proc entries, then exits 0.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface BuiltEnvExec {
  readonly dir: string;
  readonly digest: string;
}

/** scripts/build-env-exec.sh: a cache hit takes a second; a cold build about 20 s (plus the test packages once). */
export function builtEnvExec(): BuiltEnvExec {
  execFileSync('bash', [join(repo, 'scripts/env-exec/ensure-test-packages.sh')], { stdio: 'inherit' });
  const dir = execFileSync('bash', [join(repo, 'scripts/build-env-exec.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return { dir, digest: readFileSync(`${dir}.sha256`, 'utf8').trim() };
}

const HOLD_C = '#include <unistd.h>\nint main(void) { char c; while (read(0, &c, 1) > 0) {} return 0; }\n';

export type RootKind = 'scratch' | 'musl';

export interface ContainerRoot {
  readonly path: string;
  /** The target program's path inside the root. */
  readonly program: string;
  remove(): void;
}

export function containerRoot(kind: RootKind): ContainerRoot {
  const path = mkdtempSync(join(tmpdir(), `env-exec-${kind}-root-`));
  const build = mkdtempSync(join(tmpdir(), 'env-exec-hold-'));
  writeFileSync(join(build, 'hold.c'), HOLD_C);
  mkdirSync(join(path, 'bin'));
  if (kind === 'scratch') {
    execFileSync('musl-gcc', ['-O2', '-static', '-o', join(path, 'bin/hold'), join(build, 'hold.c')]);
  } else {
    execFileSync('musl-gcc', ['-O2', '-o', join(path, 'bin/hold'), join(build, 'hold.c')]);
    mkdirSync(join(path, 'lib'));
    copyFileSync('/lib/ld-musl-x86_64.so.1', join(path, 'lib/ld-musl-x86_64.so.1'));
  }
  rmSync(build, { recursive: true, force: true });
  return { path, program: '/bin/hold', remove: () => rmSync(path, { recursive: true, force: true }) };
}

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
