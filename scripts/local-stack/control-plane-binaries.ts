/**
 * Finds kube-apiserver, kube-controller-manager, kubectl and etcd: an explicit directory, else
 * KUBEBUILDER_ASSETS, else the versioned cache that scripts/build-control-plane.sh fills (building it when
 * it is empty, which takes a few minutes once per machine).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const CONTROL_PLANE_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'] as const;
const K8S_VERSION = 'v1.36.3';
const ETCD_VERSION = 'v3.6.16';

function missingBinaries(dir: string): string[] {
  return CONTROL_PLANE_BINARIES.filter((bin) => {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** Where build-control-plane.sh puts the binaries (mirrors its AKVSYNC_CACHE_DIR / XDG_CACHE_HOME logic). */
export function defaultBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.AKVSYNC_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'akvsync');
  return join(cacheRoot, 'control-plane', `k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}`);
}

/** Returns a directory holding all four binaries, or throws an error that says which are missing where. */
export async function resolveControlPlaneBinaries(binDir?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const explicit = binDir ?? env.KUBEBUILDER_ASSETS;
  if (explicit !== undefined && explicit !== '') {
    const missing = missingBinaries(explicit);
    if (missing.length > 0) {
      const source = binDir !== undefined ? 'binDir' : 'KUBEBUILDER_ASSETS';
      throw new Error(`${source}=${explicit} lacks ${missing.join(', ')} (needs ${CONTROL_PLANE_BINARIES.join(', ')})`);
    }
    return explicit;
  }
  const cached = defaultBinDir(env);
  if (missingBinaries(cached).length === 0) return cached;
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'build-control-plane.sh');
  process.stderr.write(`local-stack: control-plane binaries not in ${cached}; building them with ${script} (a few minutes, once)\n`);
  const { stdout } = await promisify(execFile)('bash', [script], { env, maxBuffer: 16 * 1024 * 1024 });
  const built = stdout.trim().split('\n').pop() ?? '';
  const missing = missingBinaries(built);
  if (missing.length > 0) throw new Error(`${script} finished but ${built} lacks ${missing.join(', ')}`);
  return built;
}
