/**
 * Locates External Secrets Operator (the controller binary and its CRD bundle) in the versioned cache, building
 * it with build-external-secrets.sh when missing, and says how long that took. For the peer benchmark only.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ESO_VERSION = 'v0.16.2';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'build-external-secrets.sh');

export interface ExternalSecretsBinary {
  readonly version: string;
  readonly binary: string;
  /** deploy/crds/bundle.yaml from the same module version. */
  readonly crdBundle: string;
  /** Seconds this call spent building (0 when the cache had it). */
  readonly builtNowSeconds: number;
  /** How long the build that filled the cache took (from its own record), when known. */
  readonly cachedBuildSeconds: number | undefined;
}

export async function ensureExternalSecrets(log: (message: string) => void = () => undefined): Promise<ExternalSecretsBinary> {
  const started = performance.now();
  const env = { ...process.env, AKVSYNC_ESO_VERSION: ESO_VERSION };
  const child = promisify(execFile)('bash', [SCRIPT], { env, maxBuffer: 16 * 1024 * 1024 });
  const timer = setInterval(() => log(`building External Secrets Operator ${ESO_VERSION}… ${Math.round((performance.now() - started) / 1000)} s`), 60_000);
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await child);
  } catch (error) {
    const { stderr: out } = error as { stderr?: string };
    throw new Error(`${SCRIPT} failed: ${(out ?? String(error)).trim().split('\n').slice(-15).join('\n')}`);
  } finally {
    clearInterval(timer);
  }
  const dir = stdout.trim().split('\n').pop() ?? '';
  const binary = join(dir, 'external-secrets');
  const crdBundle = join(dir, 'crds.yaml');
  accessSync(binary, constants.X_OK);
  accessSync(crdBundle, constants.R_OK);
  const built = /built in (\d+)s/.exec(stderr);
  const record = join(dir, 'build-seconds');
  return {
    version: ESO_VERSION,
    binary,
    crdBundle,
    builtNowSeconds: built ? Number(built[1]) : 0,
    cachedBuildSeconds: existsSync(record) ? Number(readFileSync(record, 'utf8').trim()) : undefined,
  };
}
