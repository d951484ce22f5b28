/**
 * A real Kubernetes control plane on loopback for tests and local development: etcd, kube-apiserver and
 * kube-controller-manager on random free ports of 127.0.0.1, certificates from the stack's CA, an admin
 * kubeconfig, and helpers to make namespaces and ServiceAccount tokens. Every child runs in its own process
 * group with its output in <dataDir>/<name>.log; stop() (or the process registry, if this process dies)
 * stops them all.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { clusterHelpers, type ClusterHelpers } from './cluster-access.js';
import { resolveControlPlaneBinaries } from './control-plane-binaries.js';
import { createControlPlanePki } from './control-plane-pki.js';
import { startEtcd } from './etcd.js';
import { startKubeApiServer } from './kube-apiserver.js';
import { startKubeControllerManager } from './kube-controller-manager.js';
import { installCrds } from './install-crds.js';
import { buildKubeConfig, writeKubeconfigFile } from './kubeconfig.js';
import type { ManagedProcess } from './managed-process.js';
import { removeTempDir, trackTempDir } from './process-registry.js';
import type { TestCa } from './tls.js';
import { waitUntil } from './wait-until.js';

export interface ControlPlaneOptions {
  /** Where data, certificates, kubeconfigs and logs go. Default: a new temp dir, removed by stop(). */
  readonly dataDir?: string;
  /** Directory with etcd, kube-apiserver, kube-controller-manager, kubectl. Default: KUBEBUILDER_ASSETS or the build cache. */
  readonly binDir?: string;
  /** The CA that signs the apiserver's serving certificate. Default: a new one. */
  readonly ca?: TestCa;
  /**
   * CRD manifests (files or directories) to install before the controller-manager starts, so its garbage
   * collector knows their kinds from the start (it rediscovers types only every 30 s).
   */
  readonly crdPaths?: readonly string[];
  /** Progress lines ("etcd ready after 312 ms"), e.g. for stderr. */
  readonly log?: (message: string) => void;
}

export interface ControlPlane extends ClusterHelpers {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Admin kubeconfig file (client certificate in system:masters), usable with kubectl. */
  readonly kubeconfigPath: string;
  /** Admin KubeConfig for @kubernetes/client-node. */
  readonly kubeConfig: KubeConfig;
  /** The CA of the apiserver's serving certificate. */
  readonly caCertPem: string;
  readonly binDir: string;
  readonly dataDir: string;
  /** Issuer (`iss`) of ServiceAccount tokens: the apiserver URL, which serves the OIDC discovery documents. */
  readonly serviceAccountIssuer: string;
  /** The issuer's JWKS, readable anonymously (like a public AKS OIDC issuer), e.g. for federated credentials. */
  readonly serviceAccountJwksUri: string;
  /** Public key (SPKI PEM) that verifies ServiceAccount tokens offline. */
  readonly serviceAccountPublicKeyPem: string;
  stop(): Promise<void>;
}

/**
 * Lets anyone read the issuer's OIDC discovery document and JWKS, as a public AKS OIDC issuer does, so a
 * token issuer (the Key Vault emulator) can verify federated ServiceAccount tokens without credentials.
 */
async function allowAnonymousIssuerDiscovery(kubeConfig: KubeConfig): Promise<void> {
  await kubeConfig.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
    body: {
      metadata: { name: 'akvsync-local:service-account-issuer-discovery' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' }],
    },
  });
}

/** SIGTERM grace before SIGKILL: the data is throw-away, so there is nothing to flush. */
const STOP_GRACE_MS = 500;

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'akvsync-control-plane-'));
  if (ownsDataDir) trackTempDir(dataDir);
  else mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const began = performance.now();
  const log = (message: string): void => options.log?.(`${message} after ${Math.round(performance.now() - began)} ms`);

  const processes = new Map<string, ManagedProcess>();
  const onSpawn = (proc: ManagedProcess): void => void processes.set(proc.name, proc);
  const stopAll = async (): Promise<void> => {
    const stop = (name: string): Promise<void> | undefined => processes.get(name)?.stop(STOP_GRACE_MS);
    await Promise.all([stop('kube-controller-manager'), stop('kube-apiserver')]); // before etcd, so they do not spin on it
    await stop('etcd');
    if (ownsDataDir) removeTempDir(dataDir);
  };
  let etcdReady: Promise<unknown> | undefined;
  try {
    const binDir = await resolveControlPlaneBinaries(options.binDir);
    const etcdStarting = startEtcd(binDir, dataDir, onSpawn);
    etcdReady = etcdStarting;
    const pki = await createControlPlanePki(options.ca, join(dataDir, 'pki'));
    log('certificates written');
    const etcd = await etcdStarting;
    log(`etcd ready at ${etcd.url}`);

    const apiServer = await startKubeApiServer({ binDir, dataDir, etcdUrl: etcd.url, pki, onSpawn });
    log(`kube-apiserver ready at ${apiServer.server}`);
    const adminCredentials = { clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem };
    const kubeConfig = buildKubeConfig(apiServer.server, pki.caCertPem, 'akvsync-admin', adminCredentials);
    const kubeconfigPath = writeKubeconfigFile(kubeConfig, join(dataDir, 'admin.kubeconfig'));
    if (options.crdPaths?.length) log(`CRDs established: ${(await installCrds(kubeConfig, options.crdPaths)).join(', ')}`);
    // Started only now: it polls the apiserver's health once a second, so starting it earlier costs time.
    const controllerManagerConfig = buildKubeConfig(apiServer.server, pki.caCertPem, 'akvsync-controller-manager', adminCredentials);
    await startKubeControllerManager({
      binDir,
      dataDir,
      kubeconfigPath: writeKubeconfigFile(controllerManagerConfig, join(dataDir, 'controller-manager.kubeconfig')),
      pki,
      onSpawn,
    });
    log('kube-controller-manager healthy');
    await allowAnonymousIssuerDiscovery(kubeConfig);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await waitUntil('the default ServiceAccount in namespace default', () => core.readNamespacedServiceAccount({ namespace: 'default', name: 'default' }), {
      timeoutMs: 60_000,
      intervalMs: 25,
      failFast: () => [...processes.values()].find((p) => p.exitStatus)?.failure('exited'),
    });
    log('default ServiceAccount present');

    let stopping: Promise<void> | undefined;
    return {
      server: apiServer.server,
      kubeconfigPath,
      kubeConfig,
      caCertPem: pki.caCertPem,
      binDir,
      dataDir,
      serviceAccountIssuer: apiServer.serviceAccountIssuer,
      serviceAccountJwksUri: `${apiServer.serviceAccountIssuer}/openid/v1/jwks`,
      serviceAccountPublicKeyPem: pki.serviceAccountPublicKeyPem,
      ...clusterHelpers(kubeConfig),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await etcdReady?.catch(() => undefined); // so an etcd still starting is stopped too
    await stopAll();
    throw error;
  }
}
