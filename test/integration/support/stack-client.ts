/**
 * What integration tests use to reach the local stack that globalSetup started: an admin KubeConfig,
 * namespace and ServiceAccount-token helpers, Azurite's endpoints, and the stack's CA (certificate and key,
 * so a test can issue server certificates the apiserver and the test process both trust).
 *
 *   const stack = getTestStack();
 *   const ns = await stack.createNamespace('webhook');
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { AzuriteEndpoints } from '../../../scripts/local-stack/azurite.js';
import { clusterHelpers, type ClusterHelpers } from '../../../scripts/local-stack/cluster-access.js';
import type { TestCa } from '../../../scripts/local-stack/tls.js';
import { readStackDescription } from './stack-description.js';

export interface TestStack extends ClusterHelpers {
  /** Admin (system:masters) KubeConfig. */
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly serviceAccountIssuer: string;
  readonly serviceAccountJwksUri: string;
  /** kubectl of the same version as the apiserver. */
  readonly kubectl: string;
  /** Where etcd, kube-apiserver and kube-controller-manager write their logs. */
  readonly logDir: string;
  readonly azurite: AzuriteEndpoints;
  /** The CA every local HTTPS endpoint chains to; its key lets tests issue certificates (tls.ts). */
  readonly ca: TestCa;
  readonly caFile: string;
}

let cached: TestStack | undefined;

/** The stack of this jest run (read once per worker from AKVSYNC_TEST_STACK). */
export function getTestStack(): TestStack {
  if (cached) return cached;
  const file = process.env.AKVSYNC_TEST_STACK;
  if (!file) throw new Error('AKVSYNC_TEST_STACK is not set: run integration tests through jest (npm run test:integration)');
  const d = readStackDescription(file);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(d.kubernetes.kubeconfig);
  cached = {
    kubeConfig,
    kubeconfigPath: d.kubernetes.kubeconfig,
    server: d.kubernetes.server,
    serviceAccountIssuer: d.kubernetes.serviceAccountIssuer,
    serviceAccountJwksUri: d.kubernetes.serviceAccountJwksUri,
    kubectl: join(d.kubernetes.binDir, 'kubectl'),
    logDir: d.kubernetes.logDir,
    azurite: d.azurite,
    ca: { certPem: readFileSync(d.caFile, 'utf8'), keyPem: readFileSync(d.caKeyFile, 'utf8') },
    caFile: d.caFile,
    ...clusterHelpers(kubeConfig),
  };
  return cached;
}
