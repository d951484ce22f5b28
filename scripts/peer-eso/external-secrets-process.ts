/**
 * Runs the External Secrets Operator controller against the local cluster and the Key Vault emulator: watching one
 * namespace, in its own mount namespace where login.microsoftonline.com (hard-coded by its Azure provider) is the
 * emulator's authority alias on a loopback address, trusting the local CA through SSL_CERT_FILE. Its argv and
 * environment carry no secret (the app's credentials are in a Kubernetes Secret it reads).
 */
import { join } from 'node:path';
import { ManagedProcess } from '../local-stack/managed-process.js';
import { caBundleWith, hostsNamespaceCommand } from './hosts-namespace.js';

export const ENTRA_HOST = 'login.microsoftonline.com';

export interface ExternalSecretsProcessOptions {
  readonly binary: string;
  readonly kubeconfigPath: string;
  /** Namespace it watches (--namespace). */
  readonly namespace: string;
  /** --concurrent: reconciles in parallel (ESO's default is 1). */
  readonly concurrent: number;
  readonly caPem: string;
  /** The loopback address the emulator serves ENTRA_HOST on (port 443). */
  readonly authorityAddress: string;
  /** A private directory for the hosts file, CA bundle and log. */
  readonly dir: string;
}

export function startExternalSecrets(o: ExternalSecretsProcessOptions): ManagedProcess {
  const args = [
    `--namespace=${o.namespace}`,
    `--concurrent=${o.concurrent}`,
    '--metrics-addr=0',
    '--loglevel=error',
    '--enable-leader-election=false',
    '--enable-cluster-store-reconciler=false',
    '--enable-cluster-external-secret-reconciler=false',
    '--enable-cluster-push-secret-reconciler=false',
    '--enable-push-secret-reconciler=false',
  ];
  const [command, argv] = hostsNamespaceCommand(o.dir, { [ENTRA_HOST]: o.authorityAddress }, o.binary, args);
  return ManagedProcess.start({
    name: `external-secrets (${o.namespace})`,
    command,
    args: argv,
    logFile: join(o.dir, 'external-secrets.log'),
    match: o.binary,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: o.dir,
      KUBECONFIG: o.kubeconfigPath,
      SSL_CERT_FILE: caBundleWith(o.dir, o.caPem),
    },
  });
}
