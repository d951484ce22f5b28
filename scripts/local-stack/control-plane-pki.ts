/**
 * The certificates and keys of the local control plane, written as files the binaries read:
 * a serving certificate for the apiserver signed by the stack's CA (which clients and webhooks trust),
 * a separate client CA (so certificates that tests issue from the stack's CA never authenticate to the
 * apiserver) with an admin client certificate in system:masters, and the service-account signing key.
 */
import { createPublicKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestCa, generateKeyPem, issueCertificate, type PemPair, type TestCa } from './tls.js';

/** The ClusterIP of the `kubernetes` Service (first address of the service range). */
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
const KUBERNETES_SERVICE_IP = '10.0.0.1';

export interface ControlPlanePki {
  /** The stack's CA: it signed the apiserver's serving certificate. */
  readonly caCertPem: string;
  readonly caFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  /** The controller-manager's serving certificate (its health endpoint), also from the stack's CA. */
  readonly controllerManagerCertFile: string;
  readonly controllerManagerKeyFile: string;
  readonly clientCaFile: string;
  readonly admin: PemPair;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
  readonly serviceAccountPublicKeyPem: string;
}

function write(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** Writes the control plane's PKI to `dir`; keys are generated in parallel on the thread pool. */
export async function createControlPlanePki(existingCa: TestCa | undefined, dir: string): Promise<ControlPlanePki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [caKey, servingKey, controllerManagerKey, clientCaKey, adminKey, serviceAccountKey] = await Promise.all([
    existingCa ? undefined : generateKeyPem(),
    generateKeyPem(),
    generateKeyPem(),
    generateKeyPem(),
    generateKeyPem(),
    generateKeyPem(),
  ]);
  const ca = existingCa ?? createTestCa('akvsync local CA', 7, caKey);
  const serving = issueCertificate(ca, {
    hosts: ['127.0.0.1', 'localhost', '::1', KUBERNETES_SERVICE_IP, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    keyPem: servingKey,
  });
  const controllerManager = issueCertificate(ca, { hosts: ['127.0.0.1', 'localhost'], keyPem: controllerManagerKey });
  const clientCa = createTestCa('akvsync local apiserver client CA', 7, clientCaKey);
  const admin = issueCertificate(clientCa, { hosts: ['akvsync-admin'], organization: 'system:masters', clientAuth: true, keyPem: adminKey });
  const publicKey = createPublicKey(serviceAccountKey).export({ type: 'spki', format: 'pem' }).toString();
  return {
    caCertPem: ca.certPem,
    caFile: write(dir, 'ca.crt', ca.certPem),
    servingCertFile: write(dir, 'apiserver.crt', serving.certPem),
    servingKeyFile: write(dir, 'apiserver.key', serving.keyPem),
    controllerManagerCertFile: write(dir, 'controller-manager.crt', controllerManager.certPem),
    controllerManagerKeyFile: write(dir, 'controller-manager.key', controllerManager.keyPem),
    clientCaFile: write(dir, 'client-ca.crt', clientCa.certPem),
    admin,
    serviceAccountKeyFile: write(dir, 'service-account.key', serviceAccountKey),
    serviceAccountPublicKeyFile: write(dir, 'service-account.pub', publicKey),
    serviceAccountPublicKeyPem: publicKey,
  };
}
