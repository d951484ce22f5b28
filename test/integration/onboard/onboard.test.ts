/**
 * Onboarding against the Key Vault emulator (real SDK, HTTPS, token flow), the local apiserver and Azurite:
 * the first key lands in Key Vault and in the keyring Secret, a rotation keeps the old key beside the new one,
 * retiring refuses the key the Function still signs with, and bad input changes nothing. The command itself
 * (`npm run onboard`) runs once end to end, and nothing it prints carries key material.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { QueueServiceClient, StorageSharedKeyCredential } from '@azure/storage-queue';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseKeyring } from '../../../core/notification/keyring.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { KEY_ID_TAG } from '../../../core/registry/signing-key-secret.js';
import { keyVaultSigningKeys } from '../../../scripts/onboard/key-vault-signing-keys.js';
import { KEYRING_DATA_KEY, kubeKeyringStore } from '../../../scripts/onboard/kube-keyring-store.js';
import { addSigningKey, retireSigningKey, type AddKeyDependencies } from '../../../scripts/onboard/signing-keys.js';
import { getTestStack } from '../support/stack-client.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const VAULT = 'akvsynckeys';
let emulator: KeyVaultEmulator;
let client: SecretClient;
let namespace: string;
let core: CoreV1Api;
let clock = Date.parse('2026-12-01T05:00:00Z');

const deps = (secret = 'akvsync-keyring'): AddKeyDependencies => ({
  keyring: kubeKeyringStore(getTestStack().kubeConfig, namespace, secret),
  vault: keyVaultSigningKeys(client),
  now: () => new Date((clock += 1000)),
});

async function keyringOf(secret = 'akvsync-keyring'): Promise<Record<string, string>> {
  const s = await core.readNamespacedSecret({ namespace, name: secret });
  return JSON.parse(Buffer.from(s.data?.[KEYRING_DATA_KEY] ?? '', 'base64').toString('utf8')) as Record<string, string>;
}

beforeAll(async () => {
  const stack = getTestStack();
  emulator = await startKeyVaultEmulator({ ca: stack.ca, vaults: [VAULT] });
  const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, emulator.clientSecret, { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true });
  client = new SecretClient(emulator.vaultUrl(VAULT), credential, { disableChallengeResourceVerification: true });
  namespace = await stack.createNamespace('onboard');
  core = stack.kubeConfig.makeApiClient(CoreV1Api);
});
afterAll(() => emulator?.close());

describe('onboarding a cluster', () => {
  let first: Awaited<ReturnType<typeof addSigningKey>>;

  it('creates the signing key in Key Vault and the keyring Secret, the same key in both', async () => {
    first = await addSigningKey('prod-weu', deps());
    expect(first.keyId).toMatch(/^prod-weu-\d{8}t\d{6}z$/);
    expect(first.previousKeyIds).toEqual([]);
    const stored = await client.getSecret('akvsync-signing-prod-weu');
    expect(stored.properties.tags).toEqual({ [KEY_ID_TAG]: first.keyId });
    const keyring = await keyringOf();
    expect(Object.keys(keyring)).toEqual([first.keyId]);
    expect(keyring[first.keyId]).toBe(stored.value);
    expect(parseKeyring(JSON.stringify(keyring)).get(first.keyId)?.byteLength).toBe(32);
    expect(first.functionSettings).toEqual({ keyId: first.keyId, signingKeySetting: 'AKVSYNC_KEY_PROD_WEU' });
    expect(JSON.stringify(first)).not.toContain(stored.value);
  });

  it('rotates with overlap: the new key is added beside the old one, and Key Vault holds the new one', async () => {
    const second = await addSigningKey('prod-weu', deps());
    expect(second.keyId).not.toBe(first.keyId);
    expect(second.previousKeyIds).toEqual([first.keyId]);
    expect(Object.keys(await keyringOf())).toEqual([first.keyId, second.keyId]);
    const current = await client.getSecret('akvsync-signing-prod-weu');
    expect(current.properties.tags?.[KEY_ID_TAG]).toBe(second.keyId);
    expect((await keyringOf())[second.keyId]).toBe(current.value);

    await expect(retireSigningKey('prod-weu', second.keyId, deps())).rejects.toThrow(/is the current version of akvsync-signing-prod-weu in Key Vault/);
    expect(Object.keys(await keyringOf())).toEqual([first.keyId, second.keyId]);
    expect((await retireSigningKey('prod-weu', first.keyId, deps())).keyring.keyIds).toEqual([second.keyId]);
    expect(Object.keys(await keyringOf())).toEqual([second.keyId]);
  });

  it('creates the cluster queue for queue mode (Azurite)', async () => {
    const { queueUrl, accountName, accountKey } = getTestStack().azurite;
    const service = new QueueServiceClient(queueUrl, new StorageSharedKeyCredential(accountName, accountKey));
    const queues = { createIfAbsent: async (name: string) => (await service.getQueueClient(name).createIfNotExists()).succeeded };
    const result = await addSigningKey('edge-1', { ...deps('edge-keyring'), queues });
    expect(result.queue).toEqual({ name: 'akvsync-edge-1', created: true });
    expect((await service.getQueueClient('akvsync-edge-1').exists())).toBe(true);
    expect((await addSigningKey('edge-1', { ...deps('edge-keyring'), queues })).queue).toEqual({ name: 'akvsync-edge-1', created: false });
  });

  it('refuses bad input and changes nothing', async () => {
    await expect(addSigningKey('Prod_WEU', deps('bad-keyring'))).rejects.toThrow(/--cluster: "Prod_WEU" must be a lower-case DNS label/);
    await expect(client.getSecret('akvsync-signing-Prod_WEU')).rejects.toMatchObject({ statusCode: expect.any(Number) });
    await expect(core.readNamespacedSecret({ namespace, name: 'bad-keyring' })).rejects.toMatchObject({ code: 404 });

    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'not-a-keyring' }, stringData: { other: 'x' } } });
    await expect(addSigningKey('other', deps('not-a-keyring'))).rejects.toThrow(/has no keys.json: not an akvsync keyring, left unchanged/);
    expect((await core.readNamespacedSecret({ namespace, name: 'not-a-keyring' })).data).toEqual({ other: Buffer.from('x').toString('base64') });
    await expect(client.getSecret('akvsync-signing-other')).rejects.toMatchObject({ statusCode: 404 });

    await expect(retireSigningKey('prod-weu', 'no-such-key', deps())).rejects.toThrow(/key id no-such-key is not in the keyring/);
  });

  it('runs as `npm run onboard` and prints key ids, never key material', async () => {
    const stack = getTestStack();
    const env = {
      ...process.env,
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: emulator.clientId,
      AZURE_CLIENT_SECRET: emulator.clientSecret,
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      AKVSYNC_DISABLE_INSTANCE_DISCOVERY: 'true',
      AKVSYNC_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
      NODE_EXTRA_CA_CERTS: stack.caFile,
    };
    const args = ['--import', 'tsx', 'scripts/onboard/main.ts', '--cluster', 'cli-test', '--keys-vault-url', emulator.vaultUrl(VAULT), '--kubeconfig', stack.kubeconfigPath, '--namespace', namespace, '--keyring-secret', 'cli-keyring'];
    const { stdout, stderr } = await run(`${repoRoot}/scripts/node`, args, { cwd: repoRoot, env });
    const printed = JSON.parse(stdout) as { keyId: string };
    const key = (await client.getSecret('akvsync-signing-cli-test')).value ?? '';
    expect(key).not.toBe('');
    expect((await keyringOf('cli-keyring'))[printed.keyId]).toBe(key);
    expect(stdout + stderr).not.toContain(key);
    expect(stdout + stderr).not.toContain(Buffer.from(key, 'base64').toString('hex'));

    const failed = await run(`${repoRoot}/scripts/node`, [...args.slice(0, 4), 'NOT OK', ...args.slice(5)], { cwd: repoRoot, env }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^onboard: --cluster: "NOT OK" must be a lower-case DNS label/) });
  });
});
