/**
 * kube-controller-manager with the controllers our tests rely on: Deployments get ReplicaSets (and
 * ReplicaSets get Pods, which never run: there is no kubelet or scheduler), StatefulSets and DaemonSets,
 * garbage collection through ownerReferences, namespace deletion, and the default ServiceAccount and the
 * kube-root-ca.crt ConfigMap in every namespace. Leader election is off; it authenticates with its own
 * kubeconfig (admin) and does not use per-controller service-account credentials.
 */
import { join } from 'node:path';
import type { ControlPlanePki } from './control-plane-pki.js';
import { httpsGet } from './https-probe.js';
import { ManagedProcess } from './managed-process.js';
import { startWithFreePorts, type OnSpawn } from './start-with-free-ports.js';
import { waitUntil } from './wait-until.js';

export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
] as const;

export interface KubeControllerManagerOptions {
  readonly binDir: string;
  readonly dataDir: string;
  readonly kubeconfigPath: string;
  readonly pki: ControlPlanePki;
  readonly onSpawn?: OnSpawn;
}

export async function startKubeControllerManager(options: KubeControllerManagerOptions): Promise<ManagedProcess> {
  const { proc } = await startWithFreePorts(
    1,
    ([port]) =>
      ManagedProcess.start({
        name: 'kube-controller-manager',
        command: join(options.binDir, 'kube-controller-manager'),
        logFile: join(options.dataDir, 'kube-controller-manager.log'),
        args: [
          `--kubeconfig=${options.kubeconfigPath}`,
          `--controllers=${CONTROLLERS.join(',')}`,
          '--leader-elect=false',
          '--use-service-account-credentials=false',
          `--service-account-private-key-file=${options.pki.serviceAccountKeyFile}`,
          `--root-ca-file=${options.pki.caFile}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${port}`,
          `--tls-cert-file=${options.pki.controllerManagerCertFile}`,
          `--tls-private-key-file=${options.pki.controllerManagerKeyFile}`,
          '--kube-api-qps=200',
          '--kube-api-burst=400',
          '--profiling=false',
        ],
      }),
    (proc, [port]) =>
      waitUntil(
        'kube-controller-manager /healthz',
        async () => ((await httpsGet(`https://127.0.0.1:${port}/healthz`, { ca: options.pki.caCertPem })).status === 200 ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 50, failFast: () => (proc.exitStatus ? proc.failure('exited during start-up') : undefined) },
      ),
    options.onSpawn,
  );
  return proc;
}
