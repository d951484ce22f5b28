/**
 * The Debian tools behind the loopback OCI registry harness (docker-registry, umoci, skopeo, htpasswd), installed
 * by scripts/ensure-oci-tools.sh when missing (CI calls it from .ci/run before the tests; a developer machine gets
 * it on first use here), and a small runner for them that fails with the tool's own output.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ENSURE_SCRIPT = fileURLToPath(new URL('../ensure-oci-tools.sh', import.meta.url));
let ensured = false;

/** Installs the tools if one is missing (apt-get, needs root); a no-op once they are present. */
export function ensureOciTools(): void {
  if (ensured) return;
  execFileSync('bash', [ENSURE_SCRIPT], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  ensured = true;
}

/** Runs one of the tools; rejects with its stderr (never its argv, which may carry test credentials). */
export async function runOciTool(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  ensureOciTools();
  try {
    const { stdout } = await promisify(execFile)(command, [...args], { cwd: options.cwd, maxBuffer: 16 << 20, timeout: 120_000 });
    return stdout;
  } catch (error) {
    const { stderr, code, signal } = error as { stderr?: string; code?: number | string; signal?: string };
    throw new Error(`${command} ${args[0] ?? ''} failed (${signal ?? code ?? 'unknown'}): ${stderr?.trim() ?? ''}`);
  }
}
