/** KubeConfig objects for the local control plane, and writing them as kubeconfig files kubectl can use. */
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

export type KubeCredentials =
  | { readonly clientCertPem: string; readonly clientKeyPem: string }
  | { readonly token: string };

/** A single-context KubeConfig for `server`, trusting `caCertPem`, authenticating with a client cert or a token. */
export function buildKubeConfig(server: string, caCertPem: string, userName: string, credentials: KubeCredentials): KubeConfig {
  const user =
    'token' in credentials
      ? { name: userName, token: credentials.token }
      : { name: userName, certData: b64(credentials.clientCertPem), keyData: b64(credentials.clientKeyPem) };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'akvsync-local', server, caData: b64(caCertPem), skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: userName, cluster: 'akvsync-local', user: userName }],
    currentContext: userName,
  });
  return kc;
}

/** Writes a kubeconfig file (mode 0600: it holds credentials). */
export function writeKubeconfigFile(kc: KubeConfig, path: string): string {
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}
