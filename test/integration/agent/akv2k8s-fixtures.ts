/**
 * akv2k8s's controller examples (../shared/fixtures/akv2k8s-examples) as the integration tests apply them: the files,
 * the Key Vault objects they name (seeded in the emulator), kubectl apply, and what their outputs should hold. Used by
 * akv2k8s-examples.test.ts (apiVersion changed to akvsync.io/v1) and akv2k8s-objects.test.ts (spv.no, unchanged).
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { type TestChain, chain, opensslPkcs12 } from '../../support/test-certificates.js';
import { getTestStack } from '../support/stack-client.js';

const DIR = join(fileURLToPath(new URL('../../../', import.meta.url)), '..', 'shared', 'fixtures', 'akv2k8s-examples');
export const read = (file: string): string => readFileSync(join(DIR, file), 'utf8');
export const VAULTS = ['akv2k8s-test', 'akv2k8sinttestskv', 'your-key-vault'];
export const FILES = [
  '01-sync-secret.akvs.yaml', '02-sync-certificate-tls.akvs.yaml', '03-sync-signing-key.akvs.yaml', '04-sync-multi-key-value-secret.akvs.yaml',
  '05-sync-multi-akvs-to-one-secret.akvs.yaml', '06-sync-secret-to-configmap.akvs.yaml', '07-namespace-isolation.akvs.yaml',
  '09-sync-pfx-stored-as-secret-to-tls.akvs.yaml', 'it-akvs-certificate-sync.yaml', 'it-akvs-configmap-sync.yaml',
  'it-akvs-multi-key-value-secret.yaml', 'it-akvs-secret-sync.yaml', 'it-akvs-signing-key-sync.yaml', 'it-multi-akvs-secret-sync.yaml',
  'it-v1-test-secret.akvs.yaml', 'extra',
] as const;
export type FixtureFile = (typeof FILES)[number];
export const SEQUENTIAL = ['05-sync-multi-akvs-to-one-secret.akvs.yaml', 'it-multi-akvs-secret-sync.yaml'] as const;
export const SECRET_VALUE = 'akv2k8s-example-S3cret-5d1e';
export const OTHER_VALUE = 'akv2k8s-example-0ther-77aa';

/**
 * The manifest with every `namespace:` pointed at `ns` (7: the second at `other`) and, unless `keepApiVersion`, only
 * `apiVersion` changed to akvsync.io/v1.
 */
export function manifest(file: string, ns: string, other?: string, keepApiVersion = false): string {
  let second = false;
  const text = read(file);
  return (keepApiVersion ? text : text.replace(/apiVersion: spv\.no\/(v2beta1|v1alpha1|v1)\b/g, 'apiVersion: akvsync.io/v1'))
    .replace(/^( {2}namespace:) \S+/gm, (_m, key: string) => {
      const target = second && other ? other : ns;
      second = true;
      return `${key} ${target}`;
    });
}

/** `kubectl apply -f -` (with `-n ns`: into that namespace, as for a manifest that names none). */
export function kubectlApply(text: string, ns: string | undefined): { status: number | null; output: string } {
  const stack = getTestStack();
  const r = spawnSync(stack.kubectl, ['--kubeconfig', stack.kubeconfigPath, 'apply', ...(ns ? ['-n', ns] : []), '-f', '-'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export function expectedSecret(file: string): { type: string; keys: string[]; data: Record<string, string> } {
  const doc = parse(read(file)) as { type?: string; data: Record<string, string> };
  const data = Object.fromEntries(Object.entries(doc.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { type: doc.type ?? 'Opaque', keys: Object.keys(doc.data).sort(), data };
}

export const certsIn = (pem: string): X509Certificate[] => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? []).map((p) => new X509Certificate(p));
export const subjectsOf = (c: TestChain): string[] => [c.leaf.subject, ...c.issuers.map((i) => i.subject)];
/** Each 64-character line of a PEM body: any leak of the PEM text contains whole lines. */
export const pemLines = (pem: string): string[] => pem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{64}$/.test(l));

export interface FixtureObjects {
  readonly ecCert: TestChain;
  readonly rsaCert: TestChain;
  readonly pfxCert: TestChain;
  readonly pfxBase64: string;
}

/** Every Key Vault object the examples name, in `kv` (vaults VAULTS). */
export async function seedFixtureVaults(kv: KeyVaultEmulator): Promise<FixtureObjects> {
  const [ecCert, rsaCert, pfxCert] = await Promise.all([chain('akv2k8s-ec', { kty: 'EC', curve: 'P-256' }, 1), chain('akv2k8s-rsa', { kty: 'RSA' }, 1), chain('app-service', { kty: 'RSA' }, 0)]);
  kv.setSecret('akv2k8s-test', 'my-secret', SECRET_VALUE);
  kv.setSecret('akv2k8s-test', 'my-other-secret', OTHER_VALUE);
  // Stored root first: tls.crt must still come out leaf first.
  kv.importCertificate('akv2k8s-test', 'my-certificate', { pfxBase64: opensslPkcs12(ecCert.leaf.keyPem, [...ecCert.pems].reverse(), 'aes-256').toString('base64') });
  kv.createKey('akv2k8s-test', 'my-key', { kty: 'RSA' });
  const pfxBase64 = opensslPkcs12(pfxCert.leaf.keyPem, pfxCert.pems, 'legacy').toString('base64');
  kv.setSecret('akv2k8s-test', 'my-pfx-cert-secret', pfxBase64);
  kv.setSecret('akv2k8sinttestskv', 'akv2k8s-test-secret', SECRET_VALUE);
  kv.setSecret('akv2k8sinttestskv', 'akv2k8s-test-secret-two', OTHER_VALUE);
  kv.importCertificate('akv2k8sinttestskv', 'akv2k8s-test-cert', { pem: rsaCert.pems[2] + rsaCert.leaf.keyPem + rsaCert.pems[0] + rsaCert.pems[1], contentType: 'application/x-pem-file' });
  kv.createKey('akv2k8sinttestskv', 'akv2k8s-test-key', { kty: 'EC', curve: 'P-384' });
  kv.setSecret('akv2k8sinttestskv', 'akv2k8s-multi-key-test', read('04-multi-key-value-secret.akv-value.json'), { contentType: 'application/x-json' });
  kv.setSecret('your-key-vault', 'db-config', read('04-multi-key-value-secret.akv-value.json'), { contentType: 'application/x-json' });
  return { ecCert, rsaCert, pfxCert, pfxBase64 };
}
