/**
 * The whole local stack: one CA per run (written as <dataDir>/ca.pem), the Kubernetes control plane,
 * Azurite and, optionally, the Key Vault emulator, started in parallel. describeLocalStack() turns it into
 * the JSON that `npm run stack` prints and that the jest integration setup hands to test workers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../kv-emulator/emulator.js';
import { startAzurite, type Azurite, type AzuriteEndpoints } from './azurite.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { removeTempDir, trackTempDir } from './process-registry.js';
import { createTestCa, generateKeyPem, type TestCa } from './tls.js';

/** This repository's CRDs (AzureKeyVaultSecret, …), which `npm run stack` and the jest stack install. */
export const PROJECT_CRD_PATHS: readonly string[] = [fileURLToPath(new URL('../../cluster-agent/manifests/', import.meta.url))];

export interface LocalStackOptions {
  /** Default: a new temp dir, removed by stop(). */
  readonly dataDir?: string;
  readonly binDir?: string;
  /** CRD manifests (files or directories) to install before the controller-manager starts. */
  readonly crdPaths?: readonly string[];
  /** Start the Key Vault emulator with these vaults (default: no emulator). */
  readonly keyVault?: { readonly vaults: string[]; readonly eventSubscribers?: string[] };
  /** Progress lines, e.g. to stderr. */
  readonly log?: (message: string) => void;
}

export interface LocalStack {
  readonly dataDir: string;
  readonly ca: TestCa;
  /** PEM file of the CA every local HTTPS endpoint chains to (use as NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  /** The CA's private key (mode 0600), for tests that issue their own server certificates. */
  readonly caKeyFile: string;
  readonly controlPlane: ControlPlane;
  readonly azurite: Azurite;
  readonly keyVault: KeyVaultEmulator | undefined;
  /** The emulator's vault names (empty without it). */
  readonly vaults: readonly string[];
  /** The emulator's client secret (random per run), mode 0600; undefined without the emulator. */
  readonly keyVaultClientSecretFile: string | undefined;
  stop(): Promise<void>;
}

/** What `npm run stack` prints and jest workers read: endpoints and file paths, no private keys. */
export interface LocalStackDescription {
  readonly dataDir: string;
  readonly caFile: string;
  readonly caKeyFile: string;
  readonly kubernetes: {
    readonly server: string;
    readonly kubeconfig: string;
    readonly serviceAccountIssuer: string;
    readonly serviceAccountJwksUri: string;
    readonly binDir: string;
    readonly logDir: string;
  };
  readonly azurite: AzuriteEndpoints;
  readonly keyVault?: {
    readonly vaults: Readonly<Record<string, string>>;
    readonly authorityHost: string;
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecretFile: string;
    readonly howToAuthenticate: string;
  };
  /** Environment for other processes: trust the CA, and talk to this cluster (never a real one). */
  readonly env: Readonly<Record<string, string>>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'akvsync-stack-'));
  if (ownsDataDir) trackTempDir(dataDir);
  const ca = createTestCa('akvsync local stack CA', 7, await generateKeyPem());
  const caFile = join(dataDir, 'ca.pem');
  const caKeyFile = join(dataDir, 'ca-key.pem');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(caKeyFile, ca.keyPem, { mode: 0o600 });

  const starting = [
    startControlPlane({ dataDir: join(dataDir, 'control-plane'), binDir: options.binDir, crdPaths: options.crdPaths, ca, log: options.log }),
    startAzurite({ dataDir: join(dataDir, 'azurite'), log: options.log }),
    options.keyVault ? startKeyVaultEmulator({ ca, ...options.keyVault }) : Promise.resolve(undefined),
  ] as const;
  const [controlPlane, azurite, keyVault] = await Promise.allSettled(starting);
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled([
      controlPlane.status === 'fulfilled' ? controlPlane.value.stop() : undefined,
      azurite.status === 'fulfilled' ? azurite.value.stop() : undefined,
      keyVault.status === 'fulfilled' ? keyVault.value?.close() : undefined,
    ]);
    if (ownsDataDir) removeTempDir(dataDir);
  };
  if (controlPlane.status === 'rejected' || azurite.status === 'rejected' || keyVault.status === 'rejected') {
    await stopAll();
    const failures = [controlPlane, azurite, keyVault].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'the local stack did not start');
  }
  // The emulator's client secret goes to a file, never to stdout.
  const keyVaultClientSecretFile = keyVault.value ? join(dataDir, 'kv-client-secret') : undefined;
  if (keyVault.value && keyVaultClientSecretFile) writeFileSync(keyVaultClientSecretFile, keyVault.value.clientSecret, { mode: 0o600 });
  let stopping: Promise<void> | undefined;
  return {
    dataDir,
    ca,
    caFile,
    caKeyFile,
    controlPlane: controlPlane.value,
    azurite: azurite.value,
    keyVault: keyVault.value,
    vaults: options.keyVault?.vaults ?? [],
    keyVaultClientSecretFile,
    stop: () => (stopping ??= stopAll()),
  };
}

export function describeLocalStack(stack: LocalStack): LocalStackDescription {
  const { controlPlane: cp, azurite, keyVault } = stack;
  let keyVaultDescription: LocalStackDescription['keyVault'];
  if (keyVault && stack.keyVaultClientSecretFile) {
    keyVaultDescription = {
      vaults: Object.fromEntries(stack.vaults.map((v) => [v, keyVault.vaultUrl(v)])),
      authorityHost: keyVault.authorityHost,
      tenantId: keyVault.tenantId,
      clientId: keyVault.clientId,
      clientSecretFile: stack.keyVaultClientSecretFile,
      howToAuthenticate:
        'new ClientSecretCredential(tenantId, clientId, <contents of clientSecretFile>, { authorityHost, disableInstanceDiscovery: true }); ' +
        'new SecretClient(vaultUrl, credential, { disableChallengeResourceVerification: true }), with NODE_EXTRA_CA_CERTS=caFile',
    };
  }
  return {
    dataDir: stack.dataDir,
    caFile: stack.caFile,
    caKeyFile: stack.caKeyFile,
    kubernetes: {
      server: cp.server,
      kubeconfig: cp.kubeconfigPath,
      serviceAccountIssuer: cp.serviceAccountIssuer,
      serviceAccountJwksUri: cp.serviceAccountJwksUri,
      binDir: cp.binDir,
      logDir: cp.dataDir,
    },
    azurite: {
      connectionString: azurite.connectionString,
      blobUrl: azurite.blobUrl,
      queueUrl: azurite.queueUrl,
      tableUrl: azurite.tableUrl,
      accountName: azurite.accountName,
      accountKey: azurite.accountKey,
    },
    ...(keyVaultDescription ? { keyVault: keyVaultDescription } : {}),
    env: { NODE_EXTRA_CA_CERTS: stack.caFile, KUBECONFIG: cp.kubeconfigPath, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
  };
}
