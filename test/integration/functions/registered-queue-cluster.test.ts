/**
 * A registered queue-mode cluster end to end, and a signing-key rotation with overlap (issue items 2, 6, 7): the real
 * agent (no inbound endpoint) registers with the local Functions host in queue mode — the Function creates its queue
 * — and drains it; a rotation in the Key Vault emulator reaches its Secret and rolls the Deployment. Then the cluster's
 * key is rotated exactly as `npm run onboard` does it (the new key into the agent's keyring file first, then Key
 * Vault; later the old key retired): rotations before, during and after the switch are all delivered — the Function
 * signs with the newest key once its cache time passed, the agent accepts both meanwhile — and the registration keeps
 * heartbeating under the new key. The fallback check is out of reach (1 h): nothing here arrives any other way.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { REGISTRY_TABLE } from '../../../core/registry/registry-rows.js';
import { TableClusterRegistry } from '../../../functions/adapters/table-cluster-registry.js';
import { deliveryQueueName } from '../../../functions/cluster-queues.js';
import { replicaSetsOf } from '../../../scripts/demo/cluster-fixtures.js';
import { startFunctionsHost, type FunctionsHost } from '../../../scripts/functions-host/host.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../../scripts/kv-emulator/emulator.js';
import { keyVaultSigningKeys } from '../../../scripts/onboard/key-vault-signing-keys.js';
import { addSigningKey, retireSigningKey, type KeyringStore } from '../../../scripts/onboard/signing-keys.js';
import { keyVaultEvent } from '../../support/key-vault-events.js';
import { createReloadingApp, decode, startAgentHarness, waitFor, type AgentHarness } from '../agent/agent-harness.js';
import { getTestStack } from '../support/stack-client.js';
import { KEYS_VAULT, keyVaultKeySettings, signingKeysClient } from './signing-keys-vault.js';

const CLUSTER = `regq-${randomUUID().slice(0, 8)}`;
const queueName = deliveryQueueName(CLUSTER);
let emulator: KeyVaultEmulator;
let host: FunctionsHost;
let h: AgentHarness;
let ns: string;
let registry: TableClusterRegistry;
let onboard: { keyring: KeyringStore; vault: ReturnType<typeof keyVaultSigningKeys>; now: () => Date };
const dir = mkdtempSync(join(tmpdir(), 'akvsync-keyring-'));
const keyringFile = join(dir, 'keys.json');
let clock = Date.parse('2026-12-01T07:00:00Z');
const stack = () => getTestStack();

/** The agent's keyring as the file a mounted Secret would be (AKVSYNC_SIGNING_KEYS_FILE), which the agent re-reads. */
const fileKeyring: KeyringStore = {
  description: keyringFile,
  async read() {
    try {
      return { keys: new Map(Object.entries(JSON.parse(readFileSync(keyringFile, 'utf8')) as Record<string, string>)), resourceVersion: 'file' };
    } catch {
      return undefined;
    }
  },
  async write(keys) {
    writeFileSync(keyringFile, JSON.stringify(Object.fromEntries(keys)));
  },
};

const replicaSets = async () => (await replicaSetsOf(stack().kubeConfig, ns, 'app')).length;
const accepted = (version: string): string | undefined => h.logLines.find((l) => l.includes('notification accepted') && l.includes(version));

async function rotateAndAwait(value: string, replicaSetCount: number): Promise<string> {
  const { version } = emulator.setSecret('kv1', 'db-password', value);
  await waitFor(`Secret ${value}`, async () => (decode(await h.readSecret(ns, 'db'), 'password') === value ? true : undefined), 60_000);
  await waitFor(`${replicaSetCount} ReplicaSets`, async () => ((await replicaSets()) === replicaSetCount ? true : undefined), 60_000);
  const line = await waitFor(`notification for ${value} accepted`, () => accepted(version));
  return (JSON.parse(line) as { keyId: string }).keyId;
}

beforeAll(async () => {
  emulator = await startKeyVaultEmulator({ ca: stack().ca, vaults: ['kv1', KEYS_VAULT] });
  onboard = { keyring: fileKeyring, vault: keyVaultSigningKeys(signingKeysClient(emulator)), now: () => new Date((clock += 60_000)) };
  await addSigningKey(CLUSTER, onboard);
  const storage = stack().azurite.connectionString;
  host = await startFunctionsHost({
    port: 0,
    env: keyVaultKeySettings(emulator),
    onLog: () => undefined,
  });
  registry = new TableClusterRegistry(TableClient.fromConnectionString(storage, REGISTRY_TABLE, { allowInsecureConnection: true }), 10 * 60_000);
  emulator.subscribe(`${host.url}/runtime/webhooks/EventGrid?functionName=keyVaultEvents`);
  h = await startAgentHarness({
    emulator,
    env: {
      AKVSYNC_NOTIFY_ENABLED: 'false',
      AKVSYNC_SIGNING_KEYS: '',
      AKVSYNC_SIGNING_KEYS_FILE: keyringFile,
      AKVSYNC_RELOAD_INTERVAL: '1s',
      AKVSYNC_QUEUE_NAME: queueName,
      AKVSYNC_QUEUE_CONNECTION_STRING: storage,
      AKVSYNC_QUEUE_MAX_POLL_INTERVAL: '200ms',
      AKVSYNC_QUEUE_VISIBILITY_TIMEOUT: '2',
      AKVSYNC_QUEUE_MAX_DEQUEUE_COUNT: '10',
      AKVSYNC_REGISTRATION_URL: host.url,
      AKVSYNC_CLUSTER_NAME: CLUSTER,
      AKVSYNC_REGISTRATION_INTERVAL: '1s',
      AKVSYNC_REGISTRATION_DEBOUNCE: '200ms',
    },
  });
  ns = h.namespaces[0] as string;
  await createReloadingApp(h, ns);
});
afterAll(async () => {
  await h?.stop();
  await host?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a registered queue-mode cluster (real agent, local Functions host, keys in the Key Vault emulator)', () => {
  let firstKey: string;

  it('registers in queue mode (the Function creates its queue) and gets a rotation end to end with no inbound endpoint', async () => {
    expect(h.agent.notifyUrl).toBe('');
    await waitFor('registered in queue mode', async () => ((await registry.cluster(CLUSTER, Date.now()))?.delivery === 'queue' ? true : undefined));
    await waitFor('subscribed to db-password', async () => ((await registry.clustersFor(keyVaultEvent({ vault: 'kv1', objectName: 'db-password' }))).includes(CLUSTER) ? true : undefined));
    expect(await new QueueClient(stack().azurite.connectionString, queueName).exists()).toBe(true);
    firstKey = await rotateAndAwait('second-value', 2);
    expect(Object.keys(JSON.parse(readFileSync(keyringFile, 'utf8')) as object)).toEqual([firstKey]);
  });

  it('rotates its signing key with overlap (onboard: keyring first, Key Vault second, old key retired last) without losing a change', async () => {
    const added = await addSigningKey(CLUSTER, onboard);
    expect(added.previousKeyIds).toEqual([firstKey]);
    // Signed with either key; with the new one before the agent re-read its keyring file, the queued message is
    // refused as unknown-key, left for the visibility timeout, and accepted on a later reception — never poisoned.
    const during = await rotateAndAwait('third-value', 3);
    expect([firstKey, added.keyId]).toContain(during);

    await new Promise((r) => setTimeout(r, 1500)); // past the Function's key cache time: it signs with the newest key now
    expect(await rotateAndAwait('fourth-value', 4)).toBe(added.keyId);

    await retireSigningKey(CLUSTER, firstKey, onboard);
    await waitFor('keyring reloaded', () => (h.logLines.filter((l) => l.includes('reloaded changed file')).length >= 2 ? true : undefined), 30_000);
    expect(await rotateAndAwait('fifth-value', 5)).toBe(added.keyId);
    const heartbeat = (await registry.cluster(CLUSTER, Date.now()))!.lastHeartbeatMs;
    await waitFor('a heartbeat under the new key', async () => ((await registry.cluster(CLUSTER, Date.now()))!.lastHeartbeatMs > heartbeat ? true : undefined));
    expect(h.logLines.some((l) => l.includes('queue message poisoned'))).toBe(false);
  });
});
