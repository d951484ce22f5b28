/**
 * Where env-exec lives in a mutated pod and how it is started. env-exec's directory holds the single executable,
 * the dynamic loader and shared libraries it was linked against (under arch-neutral names, so the pod spec is the
 * same on amd64 and arm64) and its CA roots; starting it through its own loader is what lets it run in any image
 * (glibc, musl, distroless, scratch). Its files: see env-exec/README.md.
 */
export const ENV_EXEC_VOLUME = 'akvsync-env-exec';
export const ENV_EXEC_MOUNT_PATH = '/akvsync/env-exec';
export const ENV_EXEC_INSTALL_CONTAINER = 'akvsync-env-exec-install';
export const ENV_EXEC_LOADER = 'ld.so';
export const ENV_EXEC_BINARY = 'env-exec';
/** Where the per-container ServiceAccount token (agent mode) is mounted. */
export const ENV_TOKEN_MOUNT_PATH = '/var/run/secrets/akvsync.io/env-exec';
export const ENV_TOKEN_FILE = 'token';

/** The argv prefix that starts env-exec from `dir` through its own loader; the original command follows `--`. */
export function envExecLauncher(dir: string, subcommand: 'run' | 'install' | 'files' | 'files-ready'): string[] {
  return [`${dir}/${ENV_EXEC_LOADER}`, '--library-path', dir, `${dir}/${ENV_EXEC_BINARY}`, subcommand];
}

/** akv2k8s's injector rewrites a container's command to this; such a container is left alone (never two injectors). */
export const AKV2K8S_ENV_BINARY = '/azure-keyvault/azure-keyvault-env';

/** Namespace opt-in labels. */
export const INJECTION_LABEL = 'akvsync.io/injection';
export const AKV2K8S_INJECTION_LABEL = 'azure-key-vault-env-injection';
/** Pod annotation choosing how env-exec gets values: `agent` (default) or `workload-identity`. */
export const ENV_AUTH_ANNOTATION = 'akvsync.io/env-auth';
