/**
 * Harness shared by env-exec's tests and benchmark: env-exec built as a single executable (cached), small musl
 * programs, and container root filesystems to run it in:
 *  - 'scratch': EMPTY but for the target program (a static musl binary) — what a FROM scratch image holds;
 *  - 'musl': the musl loader and a dynamically linked musl program — what an Alpine image holds.
 * The target program (`hold`) blocks until its stdin closes, so a test can read its /proc entries, then exits 0.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export interface BuiltEnvExec {
  readonly dir: string;
  readonly digest: string;
}

const staged = new Map<string, BuiltEnvExec>();

/**
 * scripts/build-env-exec.sh: a cache hit takes a second; a cold build about 20 s (plus the test packages once).
 * The result is a world-readable copy, `<tmp>/<arch>/`, as env-exec sits in the agent image: the install init
 * container runs as a non-root user, which cannot reach root's cache. One copy per process, removed at exit.
 */
export function builtEnvExec(arch: 'amd64' | 'arm64' = 'amd64'): BuiltEnvExec {
  const known = staged.get(arch);
  if (known) return known;
  execFileSync('bash', [join(repo, 'scripts/env-exec/ensure-test-packages.sh')], { stdio: 'inherit' });
  const cached = execFileSync('bash', [join(repo, 'scripts/build-env-exec.sh'), arch], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const root = mkdtempSync(join(tmpdir(), 'akvsync-env-exec-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  chmodSync(root, 0o755);
  cpSync(cached, join(root, arch), { recursive: true });
  const built = { dir: join(root, arch), digest: readFileSync(`${cached}.sha256`, 'utf8').trim() };
  staged.set(arch, built);
  return built;
}

/** Blocks until stdin closes, then exits 0 (a test reads its /proc entries meanwhile). */
export const HOLD_C = '#include <unistd.h>\nint main(void) { char c; while (read(0, &c, 1) > 0) {} return 0; }\n';
/** Writes one byte to stdout and exits 0 (the benchmark's "original program is running" signal). */
export const READY_C = '#include <unistd.h>\nint main(void) { return write(1, "x", 1) == 1 ? 0 : 1; }\n';

/** Compiles a C source with musl-gcc into `out`: static (no loader needed) or dynamically linked against musl. */
export function compileMusl(source: string, out: string, link: 'static' | 'dynamic'): void {
  const build = mkdtempSync(join(tmpdir(), 'env-exec-cc-'));
  try {
    writeFileSync(join(build, 'main.c'), source);
    execFileSync('musl-gcc', ['-O2', ...(link === 'static' ? ['-static'] : []), '-o', out, join(build, 'main.c')]);
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
}

export type RootKind = 'scratch' | 'musl';

export interface ContainerRoot {
  readonly path: string;
  /** The target program's path inside the root. */
  readonly program: string;
  remove(): void;
}

export function containerRoot(kind: RootKind): ContainerRoot {
  const path = mkdtempSync(join(tmpdir(), `env-exec-${kind}-root-`));
  chmodSync(path, 0o755); // as a container's root: its non-root users can reach their volumes
  mkdirSync(join(path, 'bin'));
  compileMusl(HOLD_C, join(path, 'bin/hold'), kind === 'scratch' ? 'static' : 'dynamic');
  if (kind === 'musl') {
    mkdirSync(join(path, 'lib'));
    copyFileSync('/lib/ld-musl-x86_64.so.1', join(path, 'lib/ld-musl-x86_64.so.1'));
  }
  return { path, program: '/bin/hold', remove: () => rmSync(path, { recursive: true, force: true }) };
}

