/**
 * kube-apiserver on loopback, flags as controller-runtime's envtest sets them: RBAC, client-certificate
 * admin, service-account issuer and signing key (TokenRequest/TokenReview), no endpoint reconciler.
 * Admission webhooks are on (default plugins). The issuer is the apiserver's own URL, so its
 * /.well-known/openid-configuration and /openid/v1/jwks describe the tokens it mints.
 */
import { join } from 'node:path';
import type { ControlPlanePki } from './control-plane-pki.js';
import { SERVICE_CLUSTER_IP_RANGE } from './control-plane-pki.js';
import { httpsGet } from './https-probe.js';
import { ManagedProcess } from './managed-process.js';
import { startWithFreePorts, type OnSpawn } from './start-with-free-ports.js';
import { waitUntil } from './wait-until.js';

export interface KubeApiServer {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly serviceAccountIssuer: string;
  readonly process: ManagedProcess;
}

export interface KubeApiServerOptions {
  readonly binDir: string;
  readonly dataDir: string;
  readonly etcdUrl: string;
  readonly pki: ControlPlanePki;
  /** Prefix for etcd keys (default /registry). */
  readonly etcdPrefix?: string;
  readonly onSpawn?: OnSpawn;
}

export async function startKubeApiServer(options: KubeApiServerOptions): Promise<KubeApiServer> {
  const { pki } = options;
  const { proc, ports } = await startWithFreePorts(
    1,
    ([port]) =>
      ManagedProcess.start({
        name: 'kube-apiserver',
        command: join(options.binDir, 'kube-apiserver'),
        logFile: join(options.dataDir, 'kube-apiserver.log'),
        args: [
          `--etcd-servers=${options.etcdUrl}`,
          `--etcd-prefix=${options.etcdPrefix ?? '/registry'}`,
          `--cert-dir=${join(options.dataDir, 'apiserver-certs')}`,
          `--tls-cert-file=${pki.servingCertFile}`,
          `--tls-private-key-file=${pki.servingKeyFile}`,
          `--secure-port=${port}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
          '--authorization-mode=RBAC',
          `--client-ca-file=${pki.clientCaFile}`,
          `--service-account-issuer=https://127.0.0.1:${port}`,
          `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
          `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
          '--endpoint-reconciler-type=none',
          '--allow-privileged=true',
          // no request throttling in a test cluster: benchmarks fan out to thousands of objects
          '--enable-priority-and-fairness=false',
          '--max-requests-inflight=3000',
          '--max-mutating-requests-inflight=1000',
          '--profiling=false',
        ],
      }),
    (proc, [port]) =>
      waitUntil(
        'kube-apiserver /readyz',
        async () => {
          const tls = { ca: pki.caCertPem, cert: pki.admin.certPem, key: pki.admin.keyPem };
          const { status } = await httpsGet(`https://127.0.0.1:${port}/readyz`, tls);
          return status === 200 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50, failFast: () => (proc.exitStatus ? proc.failure('exited during start-up') : undefined) },
      ),
    options.onSpawn,
  );
  const server = `https://127.0.0.1:${ports[0]}`;
  return { server, serviceAccountIssuer: server, process: proc };
}
